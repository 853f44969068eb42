"""GET /api/v1/dashboard/?org=ID (or ?grid=ID) &month=YYYY-MM: a node's figures, as its page shows them.

The endpoint is a scoped read-only viewset over the summary facts, so it is held by the scoped-API battery like
every other: without org/grid it lists the raw facts the user may see (paginated, constant queries), and
/api/v1/dashboard/<id>/ reads one. With org or grid the node is fetched through the same scoping as the pages
(outside the user's scope: 404) and the answer is dashboards.report's figures.
"""

from __future__ import annotations

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from core.pages import get_scoped_or_404
from dashboards.api.serializers import DashboardQuerySerializer, DashboardSerializer, LeafMonthFactSerializer
from dashboards.models import LeafMonthFact
from dashboards.report import dashboard_for, level_label, node_kind
from grids.models import Grid
from orgs.models import Organization


class LeafMonthFactViewSet(ScopedReadOnlyViewSet):
    queryset = LeafMonthFact.objects.order_by("pk")
    serializer_class = LeafMonthFactSerializer

    @extend_schema(
        summary="Dashboard figures of an organization or grid node (or, without org/grid, the raw facts)",
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, description="organization node id"),
            OpenApiParameter("grid", OpenApiTypes.INT, description="grid node id"),
            OpenApiParameter("month", OpenApiTypes.STR, description="YYYY-MM (default: this month)"),
        ],
        responses={200: DashboardSerializer, 400: OpenApiResponse(description="bad org/grid/month"), 404: None},
    )
    def list(self, request, *args, **kwargs):
        if "org" not in request.query_params and "grid" not in request.query_params:
            return super().list(request, *args, **kwargs)
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
