"""The Celery app: broker and results from REDIS_URL; tasks run eagerly when it is unset (embedded mode)."""

import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

app = Celery("tongxinyuan")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
