"""Co-building API. Viewsets hold no business rules: state changes are actions that call cobuilding.services.

Agreements, agenda items and whistle calls move by the rows of cobuilding.actions: one `action_<name>` method per
row a person takes (a test checks both ways), at the URL path of the row's name.

Who writes: the community side (staff, integrators) manages records; a unit liaison reads their unit's records
and acts only where a unit acts (record progress, claim and report on meeting items, answer whistles, offer
resources). Everything else is 403 for them; rows outside anyone's scope are 404.
"""

from django.db.models import Count, Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.exceptions import MethodNotAllowed
from rest_framework.response import Response

from accounts.models import Role
from cobuilding import selectors, services
from cobuilding.api import serializers as s
from cobuilding.exports import unit_yearly_report_xlsx
from cobuilding.filtersets import (
    AgendaItemFilterSet,
    AgreementFilterSet,
    CommitmentItemFilterSet,
    CommunityNeedFilterSet,
    EvaluationRatingFilterSet,
    EvaluationRoundFilterSet,
    JointMeetingFilterSet,
    MemberReportFilterSet,
    ResidentUnitFilterSet,
    UnitReportFilterSet,
    UnitResourceFilterSet,
    WhistleCallFilterSet,
    WhistleFilterSet,
)
from cobuilding.models import (
    AgendaItem,
    CoBuildingAgreement,
    CommitmentItem,
    CommunityNeed,
    EvaluationRating,
    EvaluationRound,
    JointMeeting,
    MemberFeedback,
    MemberReport,
    ResidentUnit,
    UnitReport,
    UnitResource,
    Whistle,
    WhistleCall,
)
from core.api.viewsets import ScopedModelViewSet

COMMUNITY_SIDE = frozenset({Role.STAFF, Role.INTEGRATOR})
UNIT_SIDE = COMMUNITY_SIDE | {Role.UNIT_LIAISON}
YEAR_PARAM = OpenApiParameter("year", OpenApiTypes.INT, required=True, description="YYYY")


class CoBuildingViewSet(ScopedModelViewSet):
    """Community-side writes, except the actions named in `unit_actions`, which a unit's liaison may take too."""

    unit_actions: frozenset[str] = frozenset()

    @property
    def write_roles(self):
        return UNIT_SIDE if self.action in self.unit_actions else COMMUNITY_SIDE

    def _input(self, serializer_class, **extra):
        serializer = serializer_class(data=self.request.data, context=self.get_serializer_context(), **extra)
        serializer.is_valid(raise_exception=True)
        return serializer.validated_data

    def _answer(self, instance, serializer_class=None, code=status.HTTP_200_OK):
        serializer_class = serializer_class or self.get_serializer_class()
        return Response(serializer_class(instance, context=self.get_serializer_context()).data, status=code)


class NoCreateMixin:
    """Rows made only by a service (whistle calls): no POST to the list, no edits; actions carry the changes."""

    http_method_names = ["get", "post", "head", "options"]

    @extend_schema(exclude=True)  # answers only 405: not an operation of the API
    def create(self, request, *args, **kwargs):
        raise MethodNotAllowed(request.method)


def _year(request) -> int:
    serializer = s.YearQuerySerializer(data=request.query_params)
    serializer.is_valid(raise_exception=True)
    return serializer.validated_data["year"]


class ResidentUnitViewSet(CoBuildingViewSet):
    queryset = ResidentUnit.objects.select_related("registered_with", "party_organization")
    serializer_class = s.ResidentUnitSerializer
    filterset_class = ResidentUnitFilterSet
    search_fields = ["name", "contact_person", "address"]
    ordering_fields = ["name", "party_member_count"]

    @extend_schema(parameters=[YEAR_PARAM], responses=s.UnitYearlySerializer)
    @action(detail=True)
    def yearly(self, request, pk=None):
        """Fulfilled share, members reported and feedback, whistle points and evaluation of the unit's year."""
        figures = selectors.unit_yearly_figures(unit=self.get_object(), year=_year(request), fetched_by=request.user)
        return Response(s.UnitYearlySerializer(figures).data)

    @extend_schema(parameters=[YEAR_PARAM], responses={(200, "application/octet-stream"): OpenApiTypes.BINARY})
    @action(detail=True, url_path="yearly-report")
    def yearly_report(self, request, pk=None):
        """The unit's yearly review material (述职考评) as an xlsx workbook; phones masked."""
        unit, year = self.get_object(), _year(request)
        content = unit_yearly_report_xlsx(unit=unit, year=year, fetched_by=request.user)
        response = HttpResponse(
            content, content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
        response["Content-Disposition"] = f'attachment; filename="unit-{unit.pk}-{year}.xlsx"'
        return response


class UnitReportViewSet(CoBuildingViewSet):
    queryset = UnitReport.objects.select_related("unit", "community")
    serializer_class = s.UnitReportSerializer
    filterset_class = UnitReportFilterSet
    search_fields = ["unit__name", "liaison_name"]
    ordering_fields = ["reported_on"]


class AgreementViewSet(CoBuildingViewSet):
    queryset = CoBuildingAgreement.objects.all()
    serializer_class = s.AgreementSerializer
    filterset_class = AgreementFilterSet
    search_fields = ["title", "unit__name"]
    ordering_fields = ["starts_on", "ends_on", "signed_on"]

    def get_base_queryset(self):
        return selectors.agreement_list(fetched_by=self.request.user)

    @extend_schema(request=s.AgreementActivateSerializer)
    @action(detail=True, methods=["post"], url_path="activate", url_name="activate")
    def action_activate(self, request, pk=None):
        data = self._input(s.AgreementActivateSerializer)
        services.agreement_activate(agreement=self.get_object(), signed_on=data["signed_on"], by=request.user)
        return self._answer(self.get_object())

    @extend_schema(request=s.AgreementTerminateSerializer)
    @action(detail=True, methods=["post"], url_path="terminate", url_name="terminate")
    def action_terminate(self, request, pk=None):
        data = self._input(s.AgreementTerminateSerializer)
        services.agreement_terminate(agreement=self.get_object(), reason=data["reason"], by=request.user)
        return self._answer(self.get_object())


class CommitmentItemViewSet(CoBuildingViewSet):
    queryset = CommitmentItem.objects.all()
    serializer_class = s.CommitmentItemSerializer
    filterset_class = CommitmentItemFilterSet
    search_fields = ["title"]
    ordering_fields = ["due_on", "target"]
    unit_actions = frozenset({"progress"})

    def get_base_queryset(self):
        base = CommitmentItem.objects.select_related("agreement")
        return selectors.commitments_with_progress(base).order_by("due_on", "id")

    @extend_schema(request=s.CommitmentProgressInputSerializer, responses={201: s.CommitmentItemSerializer})
    @action(detail=True, methods=["post"])
    def progress(self, request, pk=None):
        data = self._input(s.CommitmentProgressInputSerializer)
        services.commitment_progress_add(item=self.get_object(), by=request.user, **data)
        return self._answer(self.get_object(), code=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"])
    def verify(self, request, pk=None):
        services.commitment_verify(item=self.get_object(), by=request.user)
        return self._answer(self.get_object())


class MemberReportViewSet(CoBuildingViewSet):
    queryset = MemberReport.objects.select_related("member", "community").prefetch_related(
        Prefetch("feedback", queryset=MemberFeedback.objects.order_by("-year", "id"))
    )
    serializer_class = s.MemberReportSerializer
    filterset_class = MemberReportFilterSet
    search_fields = ["member__name", "service_post"]
    ordering_fields = ["reported_on"]

    @extend_schema(methods=["GET"], responses=s.MemberFeedbackSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=s.MemberFeedbackInputSerializer, responses={201: s.MemberFeedbackSerializer}
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)  # GET: every year's, a bare list
    def feedback(self, request, pk=None):
        """GET: the community's yearly feedback on this member (the unit fetches it); POST: give this year's."""
        report = self.get_object()
        if request.method == "GET":
            rows = MemberFeedback.objects.visible_to(request.user).filter(report=report)
            return Response(s.MemberFeedbackSerializer(rows, many=True).data)
        data = self._input(s.MemberFeedbackInputSerializer)
        feedback = services.member_feedback_give(report=report, by=request.user, **data)
        return Response(s.MemberFeedbackSerializer(feedback).data, status=status.HTTP_201_CREATED)


class JointMeetingViewSet(CoBuildingViewSet):
    queryset = JointMeeting.objects.select_related("community").prefetch_related(
        "attending_units", Prefetch("items", queryset=AgendaItem.objects.select_related("claimed_by"))
    )
    serializer_class = s.JointMeetingSerializer
    filterset_class = JointMeetingFilterSet
    search_fields = ["place", "minutes"]
    ordering_fields = ["held_at"]


class AgendaItemViewSet(CoBuildingViewSet):
    queryset = AgendaItem.objects.select_related("claimed_by")
    serializer_class = s.AgendaItemSerializer
    filterset_class = AgendaItemFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["id", "due_on"]
    unit_actions = frozenset({"action_claim", "action_progress"})

    @extend_schema(request=s.ItemClaimSerializer)
    @action(detail=True, methods=["post"], url_path="claim", url_name="claim")
    def action_claim(self, request, pk=None):
        """接招认领: a unit attending the meeting takes the item on (a liaison's unit is the default)."""
        data = self._input(s.ItemClaimSerializer)
        services.item_claim(item=self.get_object(), unit=data["unit"], due_on=data["due_on"], by=request.user)
        return self._answer(self.get_object())

    @extend_schema(request=s.ItemProgressNoteSerializer, responses={201: s.AgendaItemSerializer})
    @action(detail=True, methods=["post"], url_path="progress", url_name="progress")
    def action_progress(self, request, pk=None):
        data = self._input(s.ItemProgressNoteSerializer)
        services.item_progress_add(item=self.get_object(), note=data["note"], by=request.user)
        return self._answer(self.get_object(), code=status.HTTP_201_CREATED)

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="close", url_name="close")
    def action_close(self, request, pk=None):
        services.item_close(item=self.get_object(), by=request.user)
        return self._answer(self.get_object())


class WhistleViewSet(CoBuildingViewSet):
    queryset = Whistle.objects.select_related("community").prefetch_related(
        Prefetch("calls", queryset=WhistleCall.objects.select_related("unit"))
    )
    serializer_class = s.WhistleSerializer
    filterset_class = WhistleFilterSet
    search_fields = ["title", "description", "ticket_reference"]
    ordering_fields = ["blown_at"]


class WhistleCallViewSet(NoCreateMixin, CoBuildingViewSet):
    queryset = WhistleCall.objects.select_related("whistle", "unit")
    serializer_class = s.WhistleCallSerializer
    filterset_class = WhistleCallFilterSet
    ordering_fields = ["respond_by", "acknowledge_by"]
    unit_actions = frozenset({"action_acknowledge", "action_respond"})

    @extend_schema(request=None)
    @action(detail=True, methods=["post"], url_path="acknowledge", url_name="acknowledge")
    def action_acknowledge(self, request, pk=None):
        """报到: the called unit confirms it has taken the call."""
        services.call_acknowledge(call=self.get_object(), by=request.user)
        return self._answer(self.get_object())

    @extend_schema(request=s.CallRespondSerializer)
    @action(detail=True, methods=["post"], url_path="respond", url_name="respond")
    def action_respond(self, request, pk=None):
        data = self._input(s.CallRespondSerializer)
        services.call_respond(call=self.get_object(), response=data["response"], by=request.user)
        return self._answer(self.get_object())


class CommunityNeedViewSet(CoBuildingViewSet):
    queryset = CommunityNeed.objects.select_related("community")
    serializer_class = s.CommunityNeedSerializer
    filterset_class = CommunityNeedFilterSet
    search_fields = ["title", "description"]
    ordering_fields = ["published_on"]

    @extend_schema(request=s.NeedMatchSerializer, responses=s.CommitmentItemSerializer)
    @action(detail=True, methods=["post"])
    def match(self, request, pk=None):
        """Match the need to a unit's agreement: it becomes a commitment item of that agreement."""
        data = self._input(s.NeedMatchSerializer)
        item = services.need_match(need=self.get_object(), by=request.user, **data)
        item = selectors.commitments_with_progress(CommitmentItem.objects.select_related("agreement")).get(pk=item.pk)
        return self._answer(item, s.CommitmentItemSerializer, code=status.HTTP_201_CREATED)


class UnitResourceViewSet(CoBuildingViewSet):
    queryset = UnitResource.objects.select_related("unit")
    serializer_class = s.UnitResourceSerializer
    filterset_class = UnitResourceFilterSet
    search_fields = ["title", "description", "unit__name"]
    ordering_fields = ["title"]
    unit_actions = frozenset({"create", "update", "partial_update", "destroy"})


class EvaluationRoundViewSet(CoBuildingViewSet):
    queryset = (
        EvaluationRound.objects.select_related("organization")
        .annotate(ratings_count=Count("ratings"))
        .order_by("-year", "id")
    )
    serializer_class = s.EvaluationRoundSerializer
    filterset_class = EvaluationRoundFilterSet
    ordering_fields = ["year"]

    @extend_schema(methods=["GET"], responses=s.EvaluationRatingSerializer(many=True))
    @extend_schema(
        methods=["POST"], request=s.EvaluationRatingSerializer, responses={201: s.EvaluationRatingSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def ratings(self, request, pk=None):
        """GET: this round's ratings (paginated); POST: record one rating in this round."""
        evaluation = self.get_object()
        if request.method == "POST":
            data = {**request.data, "round": evaluation.pk}
            serializer = s.EvaluationRatingSerializer(data=data, context=self.get_serializer_context())
            serializer.is_valid(raise_exception=True)
            self.perform_create(serializer)
            return Response(serializer.data, status=status.HTTP_201_CREATED)
        rows = EvaluationRating.objects.visible_to(request.user).filter(round=evaluation).select_related("unit")
        page = self.paginate_queryset(rows.order_by("unit__name", "id"))
        return self.get_paginated_response(s.EvaluationRatingSerializer(page, many=True).data)

    @extend_schema(responses=s.EvaluationResultSerializer(many=True))
    @action(detail=True)
    def results(self, request, pk=None):
        """Per unit: average score, responses, and responses by rater kind (residents, Party members)."""
        rows = selectors.evaluation_results(fetched_by=request.user, filters={"round": self.get_object()})
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(s.EvaluationResultSerializer(page, many=True).data)


class EvaluationRatingViewSet(CoBuildingViewSet):
    queryset = EvaluationRating.objects.select_related("unit", "round")
    serializer_class = s.EvaluationRatingSerializer
    filterset_class = EvaluationRatingFilterSet
    ordering_fields = ["created_at", "score"]
