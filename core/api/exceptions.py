"""One exception handler: model validation is a 400 with per-field messages, protected rows a 409."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, status
from rest_framework.views import exception_handler as drf_exception_handler

from core.db_outage import is_outage, outage_response


class Conflict(exceptions.APIException):
    status_code = status.HTTP_409_CONFLICT
    default_detail = _("该操作与现有数据冲突。")
    default_code = "conflict"


def as_drf_validation_error(exc: DjangoValidationError) -> exceptions.ValidationError:
    if hasattr(exc, "error_dict"):
        detail = {
            ("non_field_errors" if field == "__all__" else field): [str(m) for m in messages]
            for field, messages in exc.message_dict.items()
        }
    else:
        detail = {"non_field_errors": [str(m) for m in exc.messages]}
    return exceptions.ValidationError(detail)


def exception_handler(exc: Exception, context: dict[str, Any]) -> HttpResponse | None:
    if is_outage(exc):  # [faults] database down: 503 + Retry-After JSON, whatever else this handler does
        return outage_response(context["request"])
    if isinstance(exc, DjangoValidationError) and getattr(exc, "code", None) == "illegal_transition":
        # A state-machine move the transition table forbids conflicts with the row's current state.
        exc = Conflict(exc.messages[0])
    elif isinstance(exc, DjangoValidationError):
        exc = as_drf_validation_error(exc)
    elif isinstance(exc, Http404):
        # Django's message names the model in English; a missing and a forbidden row both read "not found".
        exc = exceptions.NotFound()
    elif isinstance(exc, (ProtectedError, RestrictedError)):
        exc = Conflict(_("仍有其他记录引用它，不能删除。请先处理这些记录。"))
    return drf_exception_handler(exc, context)
