"""/api/v1/coverage/: the coverage report of one node in the caller's scope, with a line per direct child."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import Http404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import serializers
from rest_framework.response import Response
from rest_framework.views import APIView

from grids.models import Grid
from orgs.models import Organization
from residents.coverage import CoverageReport, coverage_breakdown

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

_NODE_ID_ERRORS: dict[str, str | StrPromise] = {
    "invalid": _("请填写有效的编号（正整数）。"),
    "min_value": _("请填写有效的编号（正整数）。"),
}


class CoverageQuerySerializer(serializers.Serializer):
    org = serializers.IntegerField(required=False, min_value=1, error_messages=_NODE_ID_ERRORS)
    grid = serializers.IntegerField(required=False, min_value=1, error_messages=_NODE_ID_ERRORS)

    def validate(self, attrs):
        if "org" in attrs and "grid" in attrs:
            raise serializers.ValidationError(_("org 与 grid 只能指定其中一个。"))
        return attrs


def _node_data(node, report: CoverageReport) -> dict:
    kind = "grid" if isinstance(node, Grid) else "org"
    return {"id": node.pk, "name": node.name, "kind": kind, **report.as_dict()}


class CoverageView(APIView):
    """The 地不漏房、房不漏户、户不漏人 figures of an organization or a grid the caller may see (404 otherwise).

    Without parameters: the caller's own scope (a grid worker's first grid, a staff user's organization).
    """

    @extend_schema(
        parameters=[
            OpenApiParameter("org", OpenApiTypes.INT, description="organization id (street, community...)"),
            OpenApiParameter("grid", OpenApiTypes.INT, description="grid id"),
        ],
        responses={200: OpenApiTypes.OBJECT},
    )
    def get(self, request):
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        node = self._node(request.user, query.validated_data)
        report, children = coverage_breakdown(node=node)
        return Response(
            _node_data(node, report) | {"children": [_node_data(child, figures) for child, figures in children]}
        )

    def _node(self, user, params: dict):
        if "org" in params:
            return self._visible(Organization, user, params["org"])
        if "grid" in params:
            return self._visible(Grid, user, params["grid"])
        nodes = user.scope_nodes()
        if not nodes:
            raise serializers.ValidationError({"org": [_("您没有默认的管辖范围，请用 org 或 grid 参数指定节点。")]})
        return nodes[0][1]

    @staticmethod
    def _visible(model, user, pk: int):
        node = model.objects.visible_to(user).filter(pk=pk).first()
        if node is None:
            raise Http404
        return node
