"""The API's OpenAPI schema generator: every operation says what it answers, errors included, grouped by app.

Integrators generate clients from /api/schema/, so the schema must describe every answer the API can give, not
only the happy one. drf-spectacular's AutoSchema documents a single 200 (or 201/204) per operation and tags by the
first path segment; this subclass, set as DEFAULT_SCHEMA_CLASS, adds the error answers core.api.exceptions and
core.errors actually produce (one shared body, `{"detail": ...}`, and the field-by-field body of a 400), and tags
each operation with the app that owns its view, so /api/docs/ shows one section per app. tests/test_schemathesis.py
calls every operation and fails on any answer the schema does not describe.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, cast

from django.utils.translation import gettext_lazy as _
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.plumbing import ResolvedComponent, build_array_type, build_basic_type
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import Direction
from rest_framework import serializers
from rest_framework.permissions import SAFE_METHODS, AllowAny

WRITE_METHODS = frozenset({"POST", "PUT", "PATCH"})

if TYPE_CHECKING:
    _Serializer = serializers.Serializer[Any]  # DRF's classes take no [] at run time
else:
    _Serializer = serializers.Serializer


class ErrorSerializer(_Serializer):
    """Every error but a 400's field messages: one sentence, in the requester's language (core.errors)."""

    detail = serializers.CharField(help_text=_("错误说明"))


# A 400 is DRF's validation answer: {field: [messages]} (nested for nested input, "non_field_errors" for the whole
# body), {"detail": ...} for a body that cannot be parsed, or a bare list of messages for a single query parameter.
VALIDATION_ERROR_SCHEMA = {
    "oneOf": [
        {
            "type": "object",
            "additionalProperties": {},
            "description": "{field: [message, ...]}; non_field_errors for the body as a whole; or {detail: message}",
        },
        # A basic type answers None only for a type it does not know; STR it knows.
        build_array_type(cast("dict[str, Any]", build_basic_type(OpenApiTypes.STR))),
    ]
}

ERROR_DESCRIPTIONS = {
    "400": "Invalid input: query parameters, page size or body (field-by-field messages).",
    "401": "No credentials, or a token that is not valid.",
    "403": "Signed in, but this role may not do this here.",
    "404": "No such row, or one outside the requester's scope (the two answer alike); or no such page.",
    "409": "The row's current state forbids it (a transition the table does not allow, or rows still refer to it).",
    "413": "The request body is larger than the API accepts.",
    "429": "Too many requests; Retry-After says when to try again.",
}


class ProjectAutoSchema(AutoSchema):
    """AutoSchema with one tag per app and the error answers each operation can give (see the module docstring)."""

    def get_tags(self) -> list[str]:
        return [type(self.view).__module__.split(".")[0]]

    def get_filter_backends(self) -> list[Any]:
        # Only the list itself filters: an extra list action (children, events) reads its own rows and ignores them.
        if getattr(self.view, "action", "list") not in ("list", None):
            return []
        return super().get_filter_backends()

    def _get_response_bodies(self, direction: Direction = "response") -> dict[str, Any]:
        responses: dict[str, Any] = super()._get_response_bodies(direction)
        if direction != "response":
            return responses
        for code in self.error_codes():
            responses.setdefault(code, self._error_response(code))
        return responses

    def error_codes(self) -> list[str]:
        """The error statuses this operation can answer with, read from its method, path, permissions, throttles."""
        method, detail = self.method.upper(), "{" in self.path
        anonymous = any(isinstance(p, AllowAny) for p in self.view.get_permissions())
        query = self._query_parameters()
        codes = []
        if method in WRITE_METHODS or query:
            codes.append("400")
        if not anonymous:
            codes += ["401", "403"]
        if detail or query:  # a row out of reach (in the path or named by a parameter), or a page past the last
            codes.append("404")
        if (method == "POST" and detail) or method == "DELETE":
            codes.append("409")
        if method in WRITE_METHODS:
            codes.append("413")
        if self.view.get_throttles() and (anonymous or method not in SAFE_METHODS):
            codes.append("429")
        return codes

    def _query_parameters(self) -> set[str]:
        return {p["name"] for p in self._get_parameters() if p.get("in") == "query"}

    def _error_response(self, code: str) -> dict[str, Any]:
        if code == "400":
            schema = self._register("ValidationError", VALIDATION_ERROR_SCHEMA)
        else:
            schema = self.resolve_serializer(ErrorSerializer, "response").ref
        return {"content": {"application/json": {"schema": schema}}, "description": ERROR_DESCRIPTIONS[code]}

    def _register(self, name: str, schema: dict[str, Any]) -> dict[str, Any]:
        component = ResolvedComponent(  # type: ignore[no-untyped-call]  # drf-spectacular leaves its __init__ untyped
            name=name, type=ResolvedComponent.SCHEMA, object=name, schema=schema
        )
        self.registry.register_on_missing(component)
        return component.ref
