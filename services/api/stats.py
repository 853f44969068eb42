"""/api/v1/ticket-stats/: ticket statistics of one organization node in the caller's scope, for the dashboards."""

from dataclasses import asdict

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from core.statistics import family_figures
from orgs.models import Organization
from services.tickets.stats import ticket_stats

_NODE_ID_ERRORS = {"invalid": _("请填写有效的编号（正整数）。"), "min_value": _("请填写有效的编号（正整数）。")}


class TicketStatsQuerySerializer(serializers.Serializer):
    org = serializers.IntegerField(required=False, min_value=1, error_messages=_NODE_ID_ERRORS)


class TicketStatsView(APIView):
    """Tickets by status, on-time rate, overdue share, cards, times to accept and resolve, satisfaction and
    escalations of an organization the caller may see (404 otherwise), a line per direct child, and the rankings of
    communities and resident units in its subtree; under `families`, the figures other apps publish for the same
    node (core.statistics: mediation cases this year). Without `org`: the caller's own organization.
    """

    @extend_schema(
        parameters=[OpenApiParameter("org", OpenApiTypes.INT, description="organization id (district, street...)")],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = TicketStatsQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        node = self._node(request.user, query.validated_data.get("org"))
        stats = asdict(ticket_stats(node=node))
        return Response({"id": node.pk, "name": node.name, "level": node.level, **stats["node"]} | {
            "children": stats["children"], "rankings": stats["rankings"],
            "families": family_figures(node=node, fetched_by=request.user),
        })  # fmt: skip

    @staticmethod
    def _node(user, pk: int | None) -> Organization:
        if pk is not None:
            node = Organization.objects.visible_to(user).filter(pk=pk).first()
            if node is None:
                raise Http404
            return node
        orgs = [node for kind, node in user.scope_nodes() if kind == "org"]
        if not orgs:
            raise serializers.ValidationError({"org": [_("您没有默认的管辖范围，请用 org 参数指定组织。")]})
        return orgs[0]
