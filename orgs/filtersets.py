import django_filters
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from core.filters import StrictBooleanFilter, StrictFiltersMixin
from core.filtersets import ScopedFilterSet
from core.scoping import subtree_q
from orgs.models import Organization, OrgPosition, PartyMember


@extend_schema_field(OpenApiTypes.INT)
class SubtreeFilter(django_filters.ModelChoiceFilter):
    """Filter by an organization and everything beneath it (tree filters include descendants)."""

    def __init__(self, *args, path: str = "organization", **kwargs):
        self.path = path
        kwargs.setdefault("queryset", Organization.objects.all())
        super().__init__(*args, **kwargs)

    def filter(self, qs, value):
        if not value:
            return qs
        return qs.filter(subtree_q(self.path, value))


class OrganizationFilterSet(StrictFiltersMixin, ScopedFilterSet):
    within = SubtreeFilter(path="", label=_("所属组织（含下级）"))

    class Meta:
        model = Organization
        fields = ["parent", "level", "is_active", "within"]


class PartyMemberFilterSet(StrictFiltersMixin, ScopedFilterSet):
    within = SubtreeFilter(label=_("所属组织（含下级）"))

    class Meta:
        model = PartyMember
        fields = ["organization", "kind", "gender", "is_active", "is_central_household", "within"]


class OrgPositionFilterSet(StrictFiltersMixin, ScopedFilterSet):
    within = SubtreeFilter(label=_("所属组织（含下级）"))
    current = StrictBooleanFilter(method="filter_current", label=_("现任"))

    class Meta:
        model = OrgPosition
        fields = ["organization", "member", "title", "cross_body", "within"]

    def filter_current(self, qs, name, value):
        today = timezone.localdate()
        current = Q(ended_on__isnull=True) | Q(ended_on__gte=today)
        return qs.filter(current) if value else qs.exclude(current)
