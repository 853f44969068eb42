"""Serializers for the point-order menu, orders, micro-wishes and housekeeper projects.

State fields are read-only: they move through the viewsets' actions, which call services.community.services.
Phones are masked on the way out (MaskedCharField), as everywhere.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cobuilding.models import ResidentUnit
from core.api.fields import CAPPED_FIELD_MAPPING
from core.api.serializers import (
    MaskedCharField,
    ScopedInputSerializer,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from core.masking import mask_phone
from orgs.models import Organization, PartyMember
from residents.models import Resident
from services.community.actions import WISHES, order_allowed_actions
from services.models import HousekeeperProject, MenuService, MicroWish, ProjectRating, Ticket
from services.tickets.actions import actions_for
from services.validators import validate_ticket_photo


class MenuServiceSerializer(ScopedModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    service_item_name = serializers.CharField(source="service_item.name", read_only=True)
    provider_kind_display = serializers.CharField(source="get_provider_kind_display", read_only=True)
    provider_name = serializers.SerializerMethodField()

    class Meta:
        model = MenuService
        fields = [
            "id", "community", "community_name", "title", "description", "service_item", "service_item_name",
            "provider_kind", "provider_kind_display", "provider_org", "provider_member", "provider_unit",
            "provider_name", "is_active",
        ]  # fmt: skip

    def get_provider_name(self, obj) -> str:
        provider = obj.provider_org or obj.provider_member or obj.provider_unit
        return getattr(provider, "name", "")


class OrderSerializer(serializers.ModelSerializer):
    """A point order as read: the ticket fields that matter to it, with the next allowed moves."""

    serializer_field_mapping = CAPPED_FIELD_MAPPING  # issue 9 (badinput): text fields capped

    menu_item_title = serializers.CharField(source="menu_item.title", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    reporter_phone = MaskedCharField(mask_phone, read_only=True)
    assignee_unit_name = serializers.CharField(source="assignee_unit.name", read_only=True, default="")
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = Ticket
        fields = [
            "id", "reference", "menu_item", "menu_item_title", "service_item", "community", "community_name",
            "status", "status_display", "reporter", "reporter_name", "reporter_phone", "description", "owner",
            "assignee_user", "assignee_unit", "assignee_unit_name", "assignee_department", "response_due_at",
            "resolution_due_at", "resolved_at", "rating", "created_at", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_allowed_actions(self, obj) -> list[str]:
        return order_allowed_actions(actions_for(obj))


class OrderPlaceSerializer(ScopedInputSerializer):
    """点单: which menu service, for whom (a resident, or a name and phone), and what exactly is asked."""

    menu_item = ScopedPrimaryKeyRelatedField(queryset=MenuService.objects.filter(is_active=True))
    reporter = ScopedPrimaryKeyRelatedField(queryset=Resident.objects.all(), required=False, allow_null=True)
    reporter_name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    reporter_phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")
    description = serializers.CharField(required=False, allow_blank=True, default="")


class NoteSerializer(serializers.Serializer):
    note = serializers.CharField(required=False, allow_blank=True, default="")


class OrderDoneSerializer(NoteSerializer):
    photos = serializers.ListField(
        child=serializers.FileField(validators=[validate_ticket_photo]), required=False, default=list, max_length=6
    )


class MicroWishSerializer(serializers.ModelSerializer):
    """A wish as staff read it: the resident named in full (staff already see residents in their scope)."""

    serializer_field_mapping = CAPPED_FIELD_MAPPING  # issue 9 (badinput): text fields capped

    resident_name = serializers.CharField(source="resident.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    claimed_by_name = serializers.SerializerMethodField()
    allowed_actions = serializers.SerializerMethodField()

    class Meta:
        model = MicroWish
        fields = [
            "id", "resident", "resident_name", "community", "community_name", "title", "description", "status",
            "status_display", "posted_by", "posted_at", "claimed_by_member", "claimed_by_unit", "claimed_by_org",
            "claimed_by_name", "claimed_at", "fulfilled_at", "fulfilment_photo", "confirmed_at", "allowed_actions",
        ]  # fmt: skip
        read_only_fields = fields

    def get_claimed_by_name(self, obj) -> str:
        claimer = obj.claimed_by_member or obj.claimed_by_unit or obj.claimed_by_org
        return getattr(claimer, "name", "")

    def get_allowed_actions(self, obj) -> list[str]:
        return WISHES.allowed(obj.status)


class WishPostSerializer(ScopedInputSerializer):
    resident = ScopedPrimaryKeyRelatedField(queryset=Resident.objects.all())
    title = serializers.CharField(max_length=100)
    description = serializers.CharField(required=False, allow_blank=True, default="")


class WishClaimSerializer(ScopedInputSerializer):
    """Exactly one claimer, each looked up inside the requester's scope like every id a request names: a member,
    unit or Party organization the requester cannot see answers as nonexistent."""

    member = ScopedPrimaryKeyRelatedField(queryset=PartyMember.objects.all(), required=False, allow_null=True)
    unit = ScopedPrimaryKeyRelatedField(queryset=ResidentUnit.objects.all(), required=False, allow_null=True)
    organization = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), required=False, allow_null=True)

    def validate(self, attrs):
        if sum(attrs.get(k) is not None for k in ("member", "unit", "organization")) != 1:
            raise serializers.ValidationError({"claimed_by": _("请选择一名认领党员、一个认领单位或一个认领党组织。")})
        return attrs


class WishFulfilSerializer(serializers.Serializer):
    photo = serializers.FileField(
        error_messages={"required": _("请上传心愿实现的照片。"), "null": _("请上传心愿实现的照片。")}
    )


class HousekeeperProjectSerializer(ScopedModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    funded_by_name = serializers.CharField(source="funded_by.name", read_only=True, default="")
    rating_display = serializers.CharField(source="get_rating_display", read_only=True)

    class Meta:
        model = HousekeeperProject
        fields = [
            "id", "community", "community_name", "year", "title", "kind", "kind_display", "description",
            "funded_by", "funded_by_name", "funding", "carried_out_by", "rating", "rating_display",
        ]  # fmt: skip
        read_only_fields = ["funded_by", "funding", "rating"]


class ProjectClaimSerializer(ScopedInputSerializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=ResidentUnit.objects.all())
    funding = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=0)
    carried_out_by = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")


class ProjectRateSerializer(serializers.Serializer):
    rating = serializers.ChoiceField(choices=ProjectRating.choices)
