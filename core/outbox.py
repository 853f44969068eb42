"""The transactional outbox: work queued after commit survives a broker outage and never fails the request.

`enqueue(task, *args, **kwargs)` writes an OutboxMessage in the caller's transaction, so the message exists if and
only if the change that asked for it committed. After commit it is published at once, with a short timeout and no
retries (settings: CELERY_BROKER_CONNECTION_TIMEOUT, CELERY_BROKER_TRANSPORT_OPTIONS, CELERY_TASK_PUBLISH_RETRY); if
the broker is down the row simply stays unsent and the request carries on. `drain_outbox` (core.tasks, every minute
in the beat schedule) publishes whatever is left, oldest first.

Why an outbox and not only acks_late: acks_late (with reject_on_worker_lost) protects a message the broker already
holds from a worker dying mid-task. It does nothing for a message that never reached the broker: publishing from an
on-commit hook while Redis is down either raises into a request whose write has already committed (the 500 after
19 s the issue measured) or, if swallowed, loses the work. The outbox row is written with the change itself, so
the publish can fail freely and be repeated later. Delivery is at least once (a publish may succeed just before a
crash that keeps `sent_at` unset), which is why every task queued this way is idempotent.

In embedded mode (CELERY_TASK_ALWAYS_EAGER, no Redis) there is no broker to lose messages: the task runs inline
after commit, as `.delay()` always did there, and no row is written.
"""

from __future__ import annotations

import datetime
import importlib
import logging
import time
from typing import Any

from celery import Task, current_app
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from core.models import OutboxMessage

logger = logging.getLogger(__name__)

BATCH_SIZE = 500
# After a refused publish this process leaves on-commit publishing to the drain for a few seconds, so a request that
# queues several tasks (or the next requests) waits out at most one connect timeout, not one per task.
BACKOFF_SECONDS = 5.0
_broker_down_until = 0.0
KEEP_SENT = datetime.timedelta(days=7)


def enqueue(task: str | Task, *args: Any, **kwargs: Any) -> OutboxMessage | None:
    """Queue `task(*args, **kwargs)` to run once the caller's transaction commits; arguments must be JSON.

    Returns the outbox row, or None in embedded mode (where the task runs inline after commit).
    """
    name = task if isinstance(task, str) else task.name
    if settings.CELERY_TASK_ALWAYS_EAGER:
        transaction.on_commit(lambda: task_named(name).delay(*args, **kwargs))
        return None
    message = OutboxMessage.objects.create(task_name=name, args=list(args), kwargs=kwargs)
    transaction.on_commit(lambda: _publish_after_commit(message.pk))
    return message


def task_named(name: str) -> Task:
    """The registered task; its module is imported first, since autodiscovery may not have run (tests, shells)."""
    if name not in current_app.tasks:
        importlib.import_module(name.rpartition(".")[0])
    return current_app.tasks[name]


def _publish_after_commit(message_id: int) -> None:
    """The on-commit publish: whatever goes wrong, the row stays for the drain and the request is not failed."""
    if time.monotonic() < _broker_down_until:
        return  # the broker refused a moment ago: the drain will publish this row
    try:
        publish_pending(ids=[message_id])
    except Exception:  # the database itself may be failing now; the drain retries
        logger.exception("outbox message %s left for the drain", message_id)


def publish_pending(*, ids: list[int] | None = None, limit: int = BATCH_SIZE) -> int:
    """Publish unsent rows (these ids, or the oldest `limit`); stop at the first failure. Returns how many were sent.

    Rows are locked with SKIP LOCKED, so the drain and an on-commit publish never send the same row at once.
    """
    sent = 0
    with transaction.atomic():
        rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True)
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        for message in rows.order_by("pk")[:limit]:
            if not _publish(message):
                break  # the broker is down: every further row would wait out the same timeout
            sent += 1
    return sent


def _publish(message: OutboxMessage) -> bool:
    global _broker_down_until
    message.attempts += 1
    try:
        current_app.send_task(
            message.task_name, args=message.args, kwargs=message.kwargs, retry=False, ignore_result=True
        )
    except Exception as exc:  # kombu/redis connection errors, timeouts: all mean "not now"
        message.last_error = f"{type(exc).__name__}: {exc}"[:2000]
        message.save(update_fields=["attempts", "last_error"])
        _broker_down_until = time.monotonic() + BACKOFF_SECONDS
        logger.warning("outbox message %s (%s) not published: %s", message.pk, message.task_name, message.last_error)
        return False
    message.sent_at = timezone.now()
    message.last_error = ""
    message.save(update_fields=["attempts", "last_error", "sent_at"])
    return True


def drain(*, limit: int = BATCH_SIZE) -> int:
    """Publish what the on-commit publishes could not, and forget rows sent more than a week ago."""
    sent = publish_pending(limit=limit)
    OutboxMessage.objects.filter(sent_at__lt=timezone.now() - KEEP_SENT).delete()
    return sent
