"""The API's filter backends: every filterset is scoped, and ?search= skips personal-information fields for users
who may not see them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, TypeVar

from django.db.models import Model, QuerySet
from django_filters import rest_framework as filters
from rest_framework.filters import SearchFilter

from core.filtersets import ScopedFilterSet
from core.pii import searchable_fields

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView

_M = TypeVar("_M", bound=Model)
_Row = TypeVar("_Row")


class ScopedApiFilterSet(ScopedFilterSet, filters.FilterSet):  # type: ignore[misc]  # django-filter ships no types
    """ScopedFilterSet with the REST flavour of django-filter's defaults (booleans read as true/false)."""


class ScopedFilterBackend(filters.DjangoFilterBackend):  # type: ignore[misc]  # django-filter ships no types
    """DjangoFilterBackend whose filtersets are always scoped, declared (`filterset_class`) or generated from
    `filterset_fields`: an id outside the requester's scope answers the same 400 as a nonexistent one.

    A declared filterset that is not a ScopedFilterSet is wrapped into one, so a new viewset cannot get it wrong.
    """

    filterset_base = ScopedApiFilterSet

    def get_filterset_class(self, view: APIView, queryset: QuerySet[Any] | None = None) -> type[Any] | None:
        filterset_class: type[Any] | None = super().get_filterset_class(view, queryset)
        if filterset_class is None or issubclass(filterset_class, ScopedFilterSet):
            return filterset_class
        return type(f"Scoped{filterset_class.__name__}", (ScopedFilterSet, filterset_class), {})


class PIISearchFilter(SearchFilter):
    """Installed as the default search backend, so a viewset that lists `phone` in search_fields cannot leak."""

    def get_search_fields(self, view: APIView, request: Request) -> list[str] | None:
        fields = super().get_search_fields(view, request)
        return searchable_fields(fields or (), request.user) or None

    def filter_queryset(self, request: Request, queryset: QuerySet[_M, _Row], view: APIView) -> QuerySet[_M, _Row]:
        # No term, no permission lookup. All search fields withheld: the search matches nothing, rather than being
        # ignored and listing everything.
        if not self.get_search_terms(request):
            return queryset
        declared = super().get_search_fields(view, request)
        if declared and not self.get_search_fields(view, request):
            return queryset.none()
        return super().filter_queryset(request, queryset, view)
