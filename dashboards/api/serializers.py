from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from dashboards.models import LeafMonthFact
from dashboards.months import parse_month

# Which tree a dashboard node is in; a module-level list so the schema names its enum (DashboardNodeKindEnum).
NODE_KINDS = ["org", "grid"]


class LeafMonthFactSerializer(serializers.ModelSerializer):
    class Meta:
        model = LeafMonthFact
        fields = ["id", "community", "grid", "month", "metric", "value"]
        read_only_fields = fields


class DashboardQuerySerializer(serializers.Serializer):
    """?org=ID or ?grid=ID, and optionally &month=YYYY-MM."""

    org = serializers.IntegerField(required=False, min_value=1)
    grid = serializers.IntegerField(required=False, min_value=1)
    month = serializers.CharField(required=False, allow_blank=True)

    def validate_month(self, value: str):
        try:
            return parse_month(value)
        except ValueError as error:
            raise serializers.ValidationError(str(error)) from error

    def validate(self, attrs: dict) -> dict:
        if ("org" in attrs) == ("grid" in attrs):
            raise serializers.ValidationError({"org": _("请给出 org 或 grid 其中之一。")})
        return attrs


class FigureValueSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    unit = serializers.CharField()
    percent = serializers.BooleanField()
    value = serializers.FloatField(allow_null=True)
    last_month = serializers.FloatField(allow_null=True)
    last_year = serializers.FloatField(allow_null=True)


class FamilySerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()  # type: ignore[assignment]  # a field named like Field.label
    figures = FigureValueSerializer(many=True)


class NodeSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=NODE_KINDS)
    id = serializers.IntegerField()
    name = serializers.CharField()
    level_label = serializers.CharField()


class ChildSerializer(NodeSerializer):
    values = serializers.DictField(child=serializers.FloatField(allow_null=True))


class DashboardSerializer(serializers.Serializer):
    """The figures of one node for one month, as its dashboard page shows them."""

    node = NodeSerializer()
    month = serializers.CharField(help_text="YYYY-MM")
    computed_at = serializers.DateTimeField(allow_null=True)
    families = FamilySerializer(many=True)
    children = ChildSerializer(many=True)
    trend = serializers.DictField(help_text=_("12 个月趋势：months 与每个图表指标的 values"))
