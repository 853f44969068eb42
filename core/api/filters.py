"""The API's filter backend: every filterset it builds is scoped, so a filter by a foreign id reveals nothing."""

from django_filters import rest_framework as filters

from core.filtersets import ScopedFilterSet


class ScopedApiFilterSet(ScopedFilterSet, filters.FilterSet):
    """ScopedFilterSet with the REST flavour of django-filter's defaults (booleans read as true/false)."""


class ScopedFilterBackend(filters.DjangoFilterBackend):
    """DjangoFilterBackend whose filtersets are always scoped, declared (`filterset_class`) or generated from
    `filterset_fields`: an id outside the requester's scope answers the same 400 as a nonexistent one.

    A declared filterset that is not a ScopedFilterSet is wrapped into one, so a new viewset cannot get it wrong.
    """

    filterset_base = ScopedApiFilterSet

    def get_filterset_class(self, view, queryset=None):
        filterset_class = super().get_filterset_class(view, queryset)
        if filterset_class is None or issubclass(filterset_class, ScopedFilterSet):
            return filterset_class
        return type(f"Scoped{filterset_class.__name__}", (ScopedFilterSet, filterset_class), {})
