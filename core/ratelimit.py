"""Rate limits: one throttle mechanism for the API (DRF throttle classes) and the public pages (a decorator).

Both are DRF's SimpleRateThrottle (a sliding window of request times in the cache), so a page and an endpoint count
the same way and read their rates from one setting, RATE_LIMITS ({scope: "number/period"}), at request time (tests
override it with `settings`). Anonymous requests are counted per client address (core.client_ip, so a forged
X-Forwarded-For does not reset the count); the API's writes are counted per user, whether the user came by token or
session. Over the limit the answer is 429 with Retry-After.

Degrading when the cache is down: a rate limit is not worth a 500, and neither is letting a guesser through
unmetered. When the shared cache raises, the counters move to a cache local to the process (LocMemCache): each
worker still limits on its own until the shared cache is back, and the outage is logged once per failure.
"""

from __future__ import annotations

import functools
import logging
import math
from collections.abc import Callable, Collection
from typing import TYPE_CHECKING, Any, TypeAlias

from django.conf import settings
from django.core.cache import caches
from django.core.cache.backends.locmem import LocMemCache
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.shortcuts import render
from django.utils.translation import gettext as _
from rest_framework.throttling import SimpleRateThrottle

from core.client_ip import client_ip
from core.errors import error_response

if TYPE_CHECKING:  # rest_framework.views imports the throttle classes named in settings: not at run time
    from rest_framework.request import Request
    from rest_framework.views import APIView

logger = logging.getLogger(__name__)

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})

#: The API throttles see DRF's Request; the page decorator hands them Django's HttpRequest (no view). Both carry
#: what a throttle reads: META (the client address), method and user.
ThrottledRequest: TypeAlias = "Request | HttpRequest"
#: Builds the 429 answer of a limited page from the request and the seconds to wait.
Reply: TypeAlias = Callable[[HttpRequest, int], HttpResponse]
_View: TypeAlias = Callable[..., HttpResponseBase]


class FallbackCache:
    """The shared cache, or a process-local one while the shared cache fails (see the module docstring)."""

    def __init__(self, alias: str = "default") -> None:
        self.alias = alias
        self.local = LocMemCache("ratelimit-fallback", {"OPTIONS": {"MAX_ENTRIES": 10000}})

    def _call(self, method: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return getattr(caches[self.alias], method)(*args, **kwargs)
        except Exception:  # any backend error: redis ConnectionError, TimeoutError, a misconfigured location
            logger.warning("Cache %r unavailable for rate limiting; counting in this process.", self.alias)
            return getattr(self.local, method)(*args, **kwargs)

    def get(self, key: str, default: Any = None) -> Any:
        return self._call("get", key, default)

    def set(self, key: str, value: Any, timeout: float | None = None) -> Any:
        return self._call("set", key, value, timeout)


fallback_cache = FallbackCache()


class SettingsRateThrottle(SimpleRateThrottle):
    """A throttle whose rate is RATE_LIMITS[scope], read per request; subclasses say whom a request counts for."""

    # Duck-typed: SimpleRateThrottle only calls the cache's get() and set(), which FallbackCache provides.
    cache = fallback_cache  # type: ignore[assignment]
    cache_format = "throttle:%(scope)s:%(ident)s"

    def __init__(self) -> None:  # SimpleRateThrottle reads the rate once at construction; do it per request instead
        pass

    def get_rate(self) -> str | None:
        if self.scope is None:  # no scope, no limit (as a lookup of None in RATE_LIMITS)
            return None
        rate: str | None = settings.RATE_LIMITS.get(self.scope)
        return rate

    def allow_request(self, request: ThrottledRequest, view: APIView | None) -> bool:
        self.rate = self.get_rate()
        if self.rate is None:
            return True
        self.num_requests, self.duration = self.parse_rate(self.rate)
        # SimpleRateThrottle hands request and view only to get_cache_key() below, which takes either kind.
        return super().allow_request(request, view)  # type: ignore[arg-type]

    def get_ident(self, request: ThrottledRequest) -> str:
        return client_ip(request) or "unknown"

    def key_for(self, ident: str) -> str:
        return self.cache_format % {"scope": self.scope, "ident": ident}


class AddressRateThrottle(SettingsRateThrottle):
    """Every request counted per client address (public pages and endpoints)."""

    def __init__(self, scope: str | None = None) -> None:
        if scope:
            self.scope = scope

    def get_cache_key(self, request: ThrottledRequest, view: APIView | None) -> str | None:
        return self.key_for(self.get_ident(request))


class AnonymousAddressThrottle(SettingsRateThrottle):
    """API requests without a user, per address (the token endpoint, Open311, anything AllowAny)."""

    scope = "api_anonymous"

    def get_cache_key(self, request: ThrottledRequest, view: APIView | None) -> str | None:
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            return None
        return self.key_for(self.get_ident(request))


class UserWriteThrottle(SettingsRateThrottle):
    """API writes per user (token or session); reads are not limited here, the page size already bounds them."""

    scope = "api_write"

    def get_cache_key(self, request: ThrottledRequest, view: APIView | None) -> str | None:
        user = getattr(request, "user", None)
        if request.method in SAFE_METHODS or user is None or not user.is_authenticated:
            return None
        return self.key_for(f"user-{user.pk}")


def page_reply(request: HttpRequest, wait: int) -> HttpResponse:
    return render(request, "429.html", {"retry_after": wait}, status=429)


def error_list_reply(request: HttpRequest, wait: int) -> HttpResponse:
    """A GeoReport-style JSON error list, for Open311."""
    return error_response(request, 429, _("请求过于频繁，请稍后再试。"))


def rate_limit(
    scope: str, *, methods: Collection[str] | None = None, reply: Reply = page_reply
) -> Callable[[_View], _View]:
    """Limit a view (function or `dispatch`, via method_decorator) per client address under RATE_LIMITS[scope].

    `methods` restricts the limit to those HTTP methods (e.g. ("POST",) for a public form); `reply` builds the 429.
    """

    def decorator(view: _View) -> _View:
        @functools.wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if methods is None or request.method in methods:
                throttle = AddressRateThrottle(scope)
                if not throttle.allow_request(request, None):
                    wait = max(1, math.ceil(throttle.wait() or 1))
                    response = reply(request, wait)
                    response["Retry-After"] = str(wait)
                    return response
            return view(request, *args, **kwargs)

        return wrapped

    return decorator
