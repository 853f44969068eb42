"""Shared fixtures: the same cast in every app's tests (owner, sibling outsider, official, anonymous)."""

import pytest
from django.core.cache import cache
from rest_framework.test import APIClient


@pytest.fixture(autouse=True)
def _clean_cache():
    # The cache is shared Redis in CI: keep login-failure counters and the like from leaking between tests.
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _tasks_run_inline(settings):
    # No worker runs beside the tests, even in CI where REDIS_URL names a real broker: queued work runs inline after
    # commit, as in embedded mode. The outbox's own tests turn this off and stand in for the broker.
    from config.celery import app

    settings.CELERY_TASK_ALWAYS_EAGER = True
    was_eager, app.conf.task_always_eager = app.conf.task_always_eager, True
    yield
    app.conf.task_always_eager = was_eager


@pytest.fixture(autouse=True)
def _chinese_by_default(settings):
    settings.LANGUAGE_CODE = "zh-hans"


@pytest.fixture
def api_client():
    return APIClient()


def client_for(user) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@pytest.fixture
def cast():
    """The one cast (tests/scoped_api.Cast): owner in `home`, outsider in `sibling`, official, integrator."""
    from tests.scoped_api import Cast

    return Cast.build()
