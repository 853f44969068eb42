"""Co-building filters, shared by pages and API. Filters through a to-many relation use a subquery (no repeats)."""

import django_filters
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from cobuilding.models import (
    AgendaItem,
    CoBuildingAgreement,
    CommitmentItem,
    CommunityNeed,
    EvaluationRating,
    EvaluationRound,
    JointMeeting,
    MemberReport,
    ResidentUnit,
    UnitReport,
    UnitResource,
    Whistle,
    WhistleCall,
)
from core.filters import StrictBooleanFilter, StrictFiltersMixin, YearFilter
from core.filtersets import ScopedFilterSet
from orgs.filtersets import SubtreeFilter
from orgs.models import Organization


@extend_schema_field(OpenApiTypes.INT)
class UnitFilter(django_filters.ModelChoiceFilter):
    """A resident unit reached through a path the filterset's `filter_unit` method knows."""


def _unit_choice(label):
    return UnitFilter(queryset=ResidentUnit.objects.all(), label=label, method="filter_unit")


class ResidentUnitFilterSet(StrictFiltersMixin, ScopedFilterSet):
    community = extend_schema_field(OpenApiTypes.INT)(django_filters.ModelChoiceFilter)(
        queryset=Organization.objects.all(), method="filter_community", label=_("报到社区")
    )

    class Meta:
        model = ResidentUnit
        fields = ["kind", "partner_category", "registered_with", "is_active", "community"]

    def filter_community(self, qs, name, value):
        if not value:
            return qs
        reported = UnitReport.objects.filter(community=value, status="active").values("unit_id")
        return qs.filter(pk__in=reported)


class UnitReportFilterSet(StrictFiltersMixin, ScopedFilterSet):
    within = SubtreeFilter(path="community", label=_("所属组织（含下级）"))

    class Meta:
        model = UnitReport
        fields = ["unit", "community", "status", "within"]


class AgreementFilterSet(StrictFiltersMixin, ScopedFilterSet):
    within = SubtreeFilter(path="community", label=_("所属组织（含下级）"))
    year = YearFilter(method="filter_year", label=_("年度（协议期内）"))

    class Meta:
        model = CoBuildingAgreement
        fields = ["unit", "community", "status", "within", "year"]

    def filter_year(self, qs, name, value):
        return qs.filter(starts_on__year__lte=value, ends_on__year__gte=value) if value else qs


class CommitmentItemFilterSet(StrictFiltersMixin, ScopedFilterSet):
    unit = _unit_choice(_("驻区单位"))
    verified = StrictBooleanFilter(field_name="verified_at", lookup_expr="isnull", exclude=True,
                                            label=_("已核实"))  # fmt: skip
    due_year = YearFilter(field_name="due_on", lookup_expr="year", label=_("到期年度"))

    class Meta:
        model = CommitmentItem
        fields = ["agreement", "kind", "unit", "verified", "due_year"]

    def filter_unit(self, qs, name, value):
        return qs.filter(agreement__unit=value) if value else qs


class MemberReportFilterSet(StrictFiltersMixin, ScopedFilterSet):
    unit = _unit_choice(_("所在单位"))

    class Meta:
        model = MemberReport
        fields = ["community", "member", "is_active", "unit"]

    def filter_unit(self, qs, name, value):
        if not value:
            return qs
        return (
            qs.filter(member__organization_id=value.party_organization_id) if value.party_organization_id else qs.none()
        )


class JointMeetingFilterSet(StrictFiltersMixin, ScopedFilterSet):
    unit = _unit_choice(_("参会单位"))
    held_after = django_filters.DateFilter(field_name="held_at", lookup_expr="date__gte", label=_("召开日期起"))
    held_before = django_filters.DateFilter(field_name="held_at", lookup_expr="date__lte", label=_("召开日期止"))

    class Meta:
        model = JointMeeting
        fields = ["community", "unit", "held_after", "held_before"]

    def filter_unit(self, qs, name, value):
        if not value:
            return qs
        return qs.filter(pk__in=JointMeeting.attending_units.through.objects.filter(residentunit=value).values(
            "jointmeeting_id"))  # fmt: skip


class AgendaItemFilterSet(StrictFiltersMixin, ScopedFilterSet):
    carried_over = StrictBooleanFilter(field_name="carried_from", lookup_expr="isnull", exclude=True,
                                                label=_("上次会议转入"))  # fmt: skip

    class Meta:
        model = AgendaItem
        fields = ["meeting", "status", "claimed_by", "carried_over"]


class WhistleFilterSet(StrictFiltersMixin, ScopedFilterSet):
    unit = _unit_choice(_("被叫单位"))
    year = YearFilter(field_name="blown_at", lookup_expr="year", label=_("年度"))

    class Meta:
        model = Whistle
        fields = ["community", "unit", "year"]

    def filter_unit(self, qs, name, value):
        return qs.filter(pk__in=WhistleCall.objects.filter(unit=value).values("whistle_id")) if value else qs


class WhistleCallFilterSet(StrictFiltersMixin, ScopedFilterSet):
    year = YearFilter(field_name="whistle__blown_at", lookup_expr="year", label=_("年度"))

    class Meta:
        model = WhistleCall
        fields = ["whistle", "unit", "status", "year"]


class CommunityNeedFilterSet(StrictFiltersMixin, ScopedFilterSet):
    class Meta:
        model = CommunityNeed
        fields = ["community", "kind", "status"]


class UnitResourceFilterSet(StrictFiltersMixin, ScopedFilterSet):
    class Meta:
        model = UnitResource
        fields = ["unit", "kind", "is_available"]


class EvaluationRoundFilterSet(StrictFiltersMixin, ScopedFilterSet):
    year = YearFilter(label=_("年度"))

    class Meta:
        model = EvaluationRound
        fields = ["organization", "year"]


class EvaluationRatingFilterSet(StrictFiltersMixin, ScopedFilterSet):
    year = YearFilter(field_name="round__year", label=_("年度"))

    class Meta:
        model = EvaluationRating
        fields = ["round", "unit", "rater_kind", "year"]
