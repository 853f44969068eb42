from rest_framework import serializers

from core.api.serializers import MaskedCharField, ScopedModelSerializer
from core.masking import mask_id_number, mask_phone
from orgs.models import Organization, OrgPosition, PartyMember


class OrganizationSerializer(ScopedModelSerializer):
    level_display = serializers.CharField(source="get_level_display", read_only=True)
    descendant_count = serializers.IntegerField(source="get_descendant_count", read_only=True)

    class Meta:
        model = Organization
        fields = [
            "id", "name", "code", "level", "level_display", "parent", "secretary", "phone", "address",
            "founded_on", "is_active", "depth", "descendant_count", "created_at", "updated_at",
        ]  # fmt: skip
        read_only_fields = ["depth", "created_at", "updated_at"]


class OrganizationTreeNodeSerializer(serializers.Serializer):
    """A node of /orgs/tree/: built from one ordered query, children nested in Python."""

    id = serializers.IntegerField()
    name = serializers.CharField()
    code = serializers.CharField()
    level = serializers.CharField()
    is_active = serializers.BooleanField()
    children = serializers.ListField(child=serializers.DictField())


class PartyMemberSerializer(ScopedModelSerializer):
    id_number = MaskedCharField(mask_id_number, max_length=18)
    phone = MaskedCharField(mask_phone, max_length=20, required=False, allow_blank=True)
    years_of_membership = serializers.IntegerField(read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)

    class Meta:
        model = PartyMember
        fields = [
            "id", "name", "gender", "birth_date", "id_number", "phone", "joined_on", "years_of_membership",
            "kind", "organization", "organization_name", "is_central_household", "is_active",
        ]  # fmt: skip


class PartyMemberPIISerializer(serializers.Serializer):
    id_number = serializers.CharField()
    phone = serializers.CharField()


class OrgPositionSerializer(ScopedModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    is_current = serializers.BooleanField(read_only=True)

    class Meta:
        model = OrgPosition
        fields = [
            "id", "member", "member_name", "organization", "organization_name", "title", "started_on", "ended_on",
            "is_current", "cross_body", "cross_title",
        ]  # fmt: skip
