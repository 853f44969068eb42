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
