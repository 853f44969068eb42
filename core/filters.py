"""Filter classes that refuse what they cannot mean, shared by every app's filtersets (pages and API).

django-filter's defaults read `?overdue=2578518` as "no filter", pass a year of 99999999999999999999 to the
database (a 500 on PostgreSQL), and ignore `?duty=`; a client then believes a filter applied that did not. Here each
of those is a per-field 400 with a message saying what is allowed.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import django_filters
from django import forms
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

MIN_YEAR = 1900
MAX_YEAR = 2100
TRUE_VALUES = frozenset({"true", "1"})
FALSE_VALUES = frozenset({"false", "0"})

if TYPE_CHECKING:
    from django_filters import FilterSet as _FilterSet  # what StrictFiltersMixin is put before
else:
    _FilterSet = object


class YearField(forms.IntegerField):
    default_error_messages = {"invalid": _("请输入 %(min)d–%(max)d 之间的年份。") % {"min": MIN_YEAR, "max": MAX_YEAR}}

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("min_value", MIN_YEAR)
        kwargs.setdefault("max_value", MAX_YEAR)
        super().__init__(**kwargs)


@extend_schema_field(OpenApiTypes.INT)
class YearFilter(django_filters.NumberFilter):  # type: ignore[misc]  # django-filter ships no types
    """A calendar year the database can compare: 1900–2100, an integer, else a 400 naming the field."""

    field_class = YearField


class StrictBooleanField(forms.Field):
    """Only true/false/1/0 (any case); absent or empty means "no filter"; anything else is an error."""

    widget = forms.Select(choices=[("", "---------"), ("true", _("是")), ("false", _("否"))])
    default_error_messages = {"invalid": _("请填写 true 或 false（或 1、0）。")}

    def to_python(self, value: Any) -> bool | None:
        if value in (None, ""):
            return None
        if isinstance(value, bool):
            return value
        text = str(value).strip().lower()
        if text in TRUE_VALUES:
            return True
        if text in FALSE_VALUES:
            return False
        raise ValidationError(self.error_messages["invalid"], code="invalid")

    def validate(self, value: Any) -> None:
        """None is "no filter", not a missing required value."""


@extend_schema_field(OpenApiTypes.BOOL)
class StrictBooleanFilter(django_filters.BooleanFilter):  # type: ignore[misc]  # django-filter ships no types
    field_class = StrictBooleanField


# Filters whose empty value means nothing: in the API `?duty=` is a mistake, not "any duty". A page's filter form
# sends every select, empty for "all", so there the empty value stays "no filter".
REFUSE_EMPTY_IN_API = (
    django_filters.ChoiceFilter,
    django_filters.MultipleChoiceFilter,
    django_filters.BooleanFilter,
    django_filters.NumberFilter,
    django_filters.DateFilter,
)


def _is_api_request(request: object) -> bool:
    from rest_framework.request import Request

    return isinstance(request, Request)


class StrictFiltersMixin(_FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """Put before ScopedFilterSet: model booleans filter strictly, and the API refuses empty typed filter values."""

    @classmethod
    def filter_for_lookup(cls, field: models.Field[Any, Any], lookup_type: str) -> tuple[type[Any], dict[str, Any]]:
        filter_class, params = super().filter_for_lookup(field, lookup_type)
        if isinstance(field, models.BooleanField) and filter_class is django_filters.BooleanFilter:
            return StrictBooleanFilter, params
        return filter_class, params

    def is_valid(self) -> bool:
        valid: bool = super().is_valid()
        if not _is_api_request(self.request):
            return valid
        for name in self._empty_typed_values():
            self.form.add_error(name, ValidationError(_("不能为空：请给出一个值，或去掉该参数。"), code="empty"))
            valid = False
        return valid

    def _empty_typed_values(self) -> list[str]:
        empty: list[str] = []
        for name, filter_ in self.filters.items():
            values = self.data.getlist(name) if hasattr(self.data, "getlist") else [self.data.get(name)]
            typed = isinstance(filter_, REFUSE_EMPTY_IN_API) and name in self.form.fields
            if typed and name in self.data and all(v == "" for v in values) and name not in self.form.errors:
                empty.append(name)
        return empty
