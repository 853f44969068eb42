import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import StrictBooleanFilter, StrictFiltersMixin
from core.filtersets import ScopedFilterSet
from grids.models import Building, Grid, GridRole, Household, Visit
from orgs.filtersets import SubtreeFilter


def grid_subtree_filter(path: str, label=None) -> SubtreeFilter:
    """A grid filter that includes the grid's sub-grids: the same lft/rght range as the organization tree."""
    return SubtreeFilter(path=path, queryset=Grid.objects.all(), label=label or _("网格（含下级网格）"))


class GridFilterSet(StrictFiltersMixin, ScopedFilterSet):
    community = SubtreeFilter(path="community", label=_("所属社区（含下级）"))
    within = grid_subtree_filter("", label=_("网格（含下级网格）"))

    class Meta:
        model = Grid
        fields = ["community", "parent", "grid_level", "is_active", "within"]


class GridRoleFilterSet(StrictFiltersMixin, ScopedFilterSet):
    grid = grid_subtree_filter("grid")
    current = StrictBooleanFilter(method="filter_current", label=_("现任"))

    class Meta:
        model = GridRole
        fields = ["grid", "duty", "user", "current"]

    def filter_current(self, qs, name, value):
        current = GridRole.objects.current()
        return qs.filter(pk__in=current.values("pk")) if value else qs.exclude(pk__in=current.values("pk"))


class BuildingFilterSet(StrictFiltersMixin, ScopedFilterSet):
    grid = grid_subtree_filter("grid")

    class Meta:
        model = Building
        fields = ["grid", "kind"]


class HouseholdFilterSet(StrictFiltersMixin, ScopedFilterSet):
    grid = grid_subtree_filter("building__grid")

    class Meta:
        model = Household
        fields = ["grid", "building", "kind"]


class VisitFilterSet(StrictFiltersMixin, ScopedFilterSet):
    grid = grid_subtree_filter("household__building__grid")
    visited_after = django_filters.DateFilter(field_name="visited_on", lookup_expr="gte", label=_("走访日期起"))
    visited_before = django_filters.DateFilter(field_name="visited_on", lookup_expr="lte", label=_("走访日期止"))

    class Meta:
        model = Visit
        fields = ["grid", "household", "visitor", "kind", "follow_up_needed", "visited_after", "visited_before"]
