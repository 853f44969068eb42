from rest_framework import serializers

from core.api.serializers import MaskedCharField, ScopedModelSerializer
from core.masking import mask_phone
from grids.models import Building, Grid, GridRole, Household, Visit


class GridSerializer(ScopedModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    grid_level_display = serializers.CharField(source="get_grid_level_display", read_only=True)

    class Meta:
        model = Grid
        fields = [
            "id", "code", "name", "community", "community_name", "parent", "grid_level", "grid_level_display",
            "boundary", "outline", "branch", "is_active",
        ]  # fmt: skip


class GridRoleSerializer(ScopedModelSerializer):
    grid_name = serializers.CharField(source="grid.name", read_only=True)
    duty_display = serializers.CharField(source="get_duty_display", read_only=True)
    phone = MaskedCharField(mask_phone, max_length=20, required=False, allow_blank=True)

    class Meta:
        model = GridRole
        fields = [
            "id", "grid", "grid_name", "duty", "duty_display", "name", "phone", "user", "party_member",
            "started_on", "ended_on",
        ]  # fmt: skip


class BuildingSerializer(ScopedModelSerializer):
    grid_name = serializers.CharField(source="grid.name", read_only=True)

    class Meta:
        model = Building
        fields = ["id", "grid", "grid_name", "name", "address", "floors", "units", "kind", "party_group"]


class HouseholdSerializer(ScopedModelSerializer):
    building_name = serializers.CharField(source="building.name", read_only=True)
    grid = serializers.IntegerField(source="building.grid_id", read_only=True)
    head_name = serializers.CharField(source="head.name", read_only=True, default="")
    phone = MaskedCharField(mask_phone, max_length=20, required=False, allow_blank=True)

    class Meta:
        model = Household
        fields = ["id", "building", "building_name", "grid", "unit", "room", "kind", "head", "head_name", "phone"]


class VisitSerializer(ScopedModelSerializer):
    """The visitor is whoever records the visit; nobody can sign a visit in someone else's name."""

    visitor = serializers.PrimaryKeyRelatedField(read_only=True)
    visitor_name = serializers.SerializerMethodField()
    household_label = serializers.CharField(source="household.__str__", read_only=True)

    class Meta:
        model = Visit
        fields = [
            "id", "household", "household_label", "visitor", "visitor_name", "visited_on", "kind", "notes",
            "follow_up_needed", "created_at",
        ]  # fmt: skip
        read_only_fields = ["created_at"]

    def create(self, validated_data):
        return super().create({**validated_data, "visitor": self.context["request"].user})

    def get_visitor_name(self, visit) -> str:
        return visit.visitor.get_full_name() or visit.visitor.username
