"""/api/v1/mediation-cases/: scoped like every viewset; sessions, parties, outcome and follow-up are actions calling
mediation.services, and stats/ gives the counts of mediation.selectors.mediation_counts."""

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api.viewsets import ScopedModelViewSet
from grids.models import Grid
from mediation import services
from mediation.api import serializers as s
from mediation.filtersets import DisputeCaseFilterSet
from mediation.models import DisputeCase
from mediation.selectors import Period, mediation_counts
from orgs.models import Organization


class DisputeCaseViewSet(ScopedModelViewSet):
    queryset = DisputeCase.objects.with_related().prefetch_related("parties__resident", "sessions")
    serializer_class = s.DisputeCaseSerializer
    filterset_class = DisputeCaseFilterSet
    search_fields = ["reference", "summary"]
    ordering_fields = ["opened_at", "concluded_at"]

    def _input(self, serializer_class) -> dict:
        data = serializer_class(data=self.request.data, context=self.get_serializer_context())
        data.is_valid(raise_exception=True)
        return data.validated_data

    def _answer(self, case: DisputeCase, status: int = 200) -> Response:
        fresh = self.get_queryset().get(pk=case.pk)
        return Response(self.get_serializer(fresh).data, status=status)

    @extend_schema(request=s.SessionInputSerializer)
    @action(detail=True, methods=["post"])
    def sessions(self, request, pk=None):
        services.session_add(case=self.get_object(), by=request.user, **self._input(s.SessionInputSerializer))
        return self._answer(self.get_object(), status=201)

    @extend_schema(request=s.PartyInputSerializer)
    @action(detail=True, methods=["post"])
    def parties(self, request, pk=None):
        data = self._input(s.PartyInputSerializer)
        details = services.PartyDetails(resident=data["resident"], name=data["name"], phone=data["phone"])
        services.party_add(case=self.get_object(), details=details, by=request.user)
        return self._answer(self.get_object(), status=201)

    @extend_schema(request=s.ConcludeInputSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, pk=None):
        services.case_conclude(case=self.get_object(), by=request.user, **self._input(s.ConcludeInputSerializer))
        return self._answer(self.get_object())

    @extend_schema(request=s.FollowUpInputSerializer)
    @action(detail=True, methods=["post"], url_path="follow-up")
    def follow_up(self, request, pk=None):
        data = self._input(s.FollowUpInputSerializer)
        services.case_record_follow_up(
            case=self.get_object(), follow_up_on=data["follow_up_on"], notes=data["notes"], visit=data["visit"],
            by=request.user,
        )  # fmt: skip
        return self._answer(self.get_object())

    @extend_schema(
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, description="organization id (street, community...)"),
            OpenApiParameter("grid", OpenApiTypes.INT, description="grid id"),
            OpenApiParameter("since", OpenApiTypes.DATE, description="first day (default: 1 January)"),
            OpenApiParameter("until", OpenApiTypes.DATE, description="last day (default: today)"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    @action(detail=False)
    def stats(self, request):
        """Cases opened, agreed, referred and failed in the period, for a node the caller may see and its children."""
        query = s.StatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        default = Period.this_year()
        period = Period(since=params.get("since", default.since), until=params.get("until", default.until))
        node = self._node(request.user, params)
        return Response(mediation_counts(cases=DisputeCase.objects.visible_to(request.user), node=node, period=period))

    @staticmethod
    def _node(user, params: dict):
        for key, model in (("org", Organization), ("grid", Grid)):
            if key in params:
                node = model.objects.visible_to(user).filter(pk=params[key]).first()
                if node is None:
                    raise Http404
                return node
        nodes = user.scope_nodes()
        if not nodes:
            raise serializers.ValidationError({"org": [_("您没有默认的管辖范围，请用 org 或 grid 参数指定节点。")]})
        return nodes[0][1]
