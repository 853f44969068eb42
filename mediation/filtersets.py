import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import StrictFiltersMixin
from core.filtersets import ScopedFilterSet
from grids.filtersets import grid_subtree_filter
from mediation.models import DisputeCase
from orgs.filtersets import SubtreeFilter


class DisputeCaseFilterSet(StrictFiltersMixin, ScopedFilterSet):
    community = SubtreeFilter(path="community", label=_("所属社区（含下级）"))
    grid = grid_subtree_filter("grid")
    opened_after = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__gte", label=_("受理日期起"))
    opened_before = django_filters.DateFilter(field_name="opened_at", lookup_expr="date__lte", label=_("受理日期止"))

    class Meta:
        model = DisputeCase
        fields = [
            "community", "grid", "kind", "status", "mediator", "source_visit", "source_ticket",
            "opened_after", "opened_before",
        ]  # fmt: skip
