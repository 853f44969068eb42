"""The dashboards' API: a node's figures (/api/v1/dashboard/), and the summary counters behind them.

Two endpoints, one shape each: /api/v1/dashboard/?org|grid answers the figures the page shows, and
/api/v1/dashboard-facts/ lists the raw counters the reader may see (a scoped read-only viewset, held by the
scoped-API battery like every other).
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api.viewsets import ScopedReadOnlyViewSet
from core.pages import get_scoped_or_404
from dashboards.api.serializers import DashboardQuerySerializer, DashboardSerializer, LeafMonthFactSerializer
from dashboards.models import LeafMonthFact
from dashboards.report import dashboard_for, level_label, node_kind
from grids.models import Grid
from orgs.models import Organization


class LeafMonthFactViewSet(ScopedReadOnlyViewSet):
    """/api/v1/dashboard-facts/: the summary counters the reader may see, one row per leaf, month and metric."""

    queryset = LeafMonthFact.objects.order_by("pk")
    serializer_class = LeafMonthFactSerializer


class DashboardView(APIView):
    """/api/v1/dashboard/?org=ID (or ?grid=ID) &month=YYYY-MM: a node's figures as its page shows them.

    A statistics endpoint like /api/v1/ticket-stats/ (one answer shape, not a list of rows): the node is fetched
    through the same scoping as the pages, so a node outside the caller's scope is a 404 like a missing one.
    """

    @extend_schema(
        summary="Dashboard figures of an organization or grid node",
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, description="organization node id"),
            OpenApiParameter("grid", OpenApiTypes.INT, description="grid node id"),
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (default: this month)"),
        ],
        responses={200: DashboardSerializer, 400: OpenApiResponse(description="bad org/grid/month"), 404: None},
    )
    def get(self, request: Request) -> Response:
        query = DashboardQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        model, pk = (Organization, params["org"]) if "org" in params else (Grid, params["grid"])
        node = get_scoped_or_404(model, request.user, pk=pk)
        return Response(dashboard_answer(node, params.get("month")))


def dashboard_answer(node, month) -> dict:
    board = dashboard_for(node, month)
    node_fields = {"kind": node_kind(node), "id": node.pk, "name": node.name, "level_label": level_label(node)}
    return {
        "node": node_fields,
        "month": f"{board.month:%Y-%m}",
        "computed_at": board.computed_at,
        "families": [
            {
                "key": report.family.key,
                "label": str(report.family.label),
                "figures": [
                    {
                        "key": t.figure.key, "label": str(t.figure.label), "unit": str(t.figure.unit),
                        "percent": t.figure.percent, "value": t.value, "last_month": t.last_month,
                        "last_year": t.last_year,
                    }
                    for t in report.tiles
                ],
            }
            for report in board.families
        ],
        "children": [
            {"kind": node_kind(row.node), "id": row.node.pk, "name": row.node.name,
             "level_label": level_label(row.node), "values": row.values}
            for row in board.children
        ],
        "trend": {"months": [f"{m:%Y-%m}" for m in board.trend_months], "series": board.trend},
    }  # fmt: skip
