"""Refuse request text that no field may hold, before any view or query sees it."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from core.errors import error_response

# NUL cannot be stored in PostgreSQL text (psycopg raises on it), and the other C0 controls except tab, LF and CR
# have no business in a URL or a form value; U+FFFD is what Django puts where the path was not valid UTF-8.
FORBIDDEN_CHARACTERS = frozenset(chr(c) for c in range(32) if chr(c) not in "\t\n\r") | {"\ufffd"}
FORM_CONTENT_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_forbidden_character(values: Iterable[str]) -> bool:
    return any(not FORBIDDEN_CHARACTERS.isdisjoint(value) for value in values)


class InvalidCharactersMiddleware:
    """A 400 for NUL (and other control characters) in the path, the query string or a form value.

    One check here instead of one per view or URL converter: every page, API and Open311 path gets it, and a new
    view cannot forget it. JSON bodies are checked per field by the API's parser (core.api.parsers).
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if self._is_invalid(request):
            return error_response(request, 400, _("请求中含有不允许的字符（如空字符）。"))
        return self.get_response(request)

    @staticmethod
    def _is_invalid(request: HttpRequest) -> bool:
        if has_forbidden_character([request.path_info]):
            return True
        if has_forbidden_character(_query_strings(request.GET)):
            return True
        content_type = request.content_type or ""
        return (
            request.method == "POST"
            and content_type.startswith(FORM_CONTENT_TYPES)
            and has_forbidden_character(_query_strings(request.POST))
        )


def _query_strings(data) -> Iterable[str]:
    for key, values in data.lists():
        yield key
        yield from values
