"""Fixtures for the login guard and rate-limit tests: small limits, so a test reaches them in a few requests."""

import pytest
from django.test import override_settings

from core.ratelimit import fallback_cache

SMALL_RATES = {
    "api_anonymous": "3/min",
    "api_write": "3/min",
    "rating_link": "3/min",
    "public_page": "3/min",
    "open311_write": "3/min",
}


@pytest.fixture
def small_rates(settings):
    settings.RATE_LIMITS = dict(SMALL_RATES)
    return SMALL_RATES


@pytest.fixture
def cache_down():
    """The shared cache pointed at a closed port: every cache call raises, as when Redis is stopped.

    Restored by this fixture itself (before the shared conftest clears the cache), with the rate limits'
    process-local fallback emptied so one test's counts do not carry into the next.
    """
    dead = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": "redis://127.0.0.1:6390/0",
            "OPTIONS": {"socket_connect_timeout": 0.2, "socket_timeout": 0.2},
        }
    }
    fallback_cache.local.clear()
    with override_settings(CACHES=dead):
        yield
    fallback_cache.local.clear()
