"""The database is unreachable: answer 503 with Retry-After, never a 500 with a traceback.

A restarting PostgreSQL makes every query raise OperationalError (or InterfaceError on a connection that died);
the right answer is "try again shortly", and with CONN_HEALTH_CHECKS the next request reconnects by itself. The
middleware answers for an error raised in a view (DRF re-raises what its handler does not know, so API views land
here too; core.api.exceptions also asks `is_outage` first) and, through the got_request_exception signal, for one
raised in another middleware (a session saved on the way out). The page is rendered without the request, so no
context processor touches the database again: JSON for /api/, GeoReport's error list for /open311/, plain HTML
elsewhere.
"""

import sys
from collections.abc import Callable
from typing import Any

from django.core.signals import got_request_exception
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.errors import error_response

OUTAGE_ERRORS = (OperationalError, InterfaceError)
RETRY_AFTER_SECONDS = 5  # a PostgreSQL restart takes a few seconds


def is_outage(exc: BaseException | None) -> bool:
    return isinstance(exc, OUTAGE_ERRORS)


def outage_response(request: HttpRequest) -> HttpResponse:
    # The same three shapes as every other error (core.errors); the page is rendered without the request, so no
    # context processor touches the database that is down.
    response = error_response(request, 503, _("数据库暂时不可用，请稍后重试。"))
    response["Retry-After"] = str(RETRY_AFTER_SECONDS)
    response["Cache-Control"] = "no-store"
    return response


def _mark_outage(sender: Any, request: HttpRequest | None = None, **kwargs: Any) -> None:
    """An unhandled exception anywhere in the stack: remember whether it was the database, for the middleware."""
    if request is not None and is_outage(sys.exc_info()[1]):
        request._database_outage = True  # type: ignore[attr-defined]  # a flag for the middleware below


got_request_exception.connect(_mark_outage, dispatch_uid="core.db_outage.mark")


class DatabaseOutageMiddleware:
    """Placed near the top of MIDDLEWARE, so it also sees the 500 another middleware's failure became."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if getattr(request, "_database_outage", False) and response.status_code == 500:
            return outage_response(request)
        return response

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponse | None:
        if is_outage(exception):
            return outage_response(request)
        return None
