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
        where = self._first_invalid(request)
        if where is not None:
            # Name the parameter, so an integrator sees which of their fields carried it.
            return error_response(request, 400, _("%(name)s：请求中含有不允许的字符（如空字符）。") % {"name": where})
        return self.get_response(request)

    @staticmethod
    def _first_invalid(request: HttpRequest) -> str | None:
        if has_forbidden_character([request.path_info]):
            return "path"
        sources = [request.GET]
        content_type = request.content_type or ""
        if request.method == "POST" and content_type.startswith(FORM_CONTENT_TYPES):
            sources.append(request.POST)
        for data in sources:
            for key, values in data.lists():
                if has_forbidden_character([key, *values]):
                    return key if not has_forbidden_character([key]) else "parameter"
        return None
