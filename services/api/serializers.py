"""Services API serializers: tickets read with masked phones and their allowed next actions; writes are inputs
handed to services.tickets.services (no serializer saves a ticket itself)."""

from django.contrib.auth import get_user_model
from django.db.models import Q
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cobuilding.models import ResidentUnit
from core.api.fields import CAPPED_FIELD_MAPPING, ChoiceDisplayField
from core.api.serializers import (
    MaskedCharField,
    ScopedInputSerializer,
    ScopedModelSerializer,
    ScopedPrimaryKeyRelatedField,
)
from core.masking import mask_phone
from grids.models import Grid
from orgs.models import Organization
from services.models import Channel, PublishedListEntry, ServiceItem, Ticket, TicketEvent, TicketPhoto, TicketStatus
from services.tickets.actions import actions_for
from services.validators import validate_ticket_photo

MAX_PHOTOS = 9  # what a phone's picker sends at most in one go


class ServiceItemSerializer(ScopedModelSerializer):
    category_display = serializers.CharField(source="get_category_display", read_only=True)
    handling_level_display = serializers.CharField(source="get_handling_level_display", read_only=True)

    class Meta:
        model = ServiceItem
        fields = [
            "id", "code", "name", "category", "category_display", "handling_level", "handling_level_display",
            "requirements", "materials", "response_hours", "resolution_hours", "can_proxy", "is_public", "is_active",
            "organization",
        ]  # fmt: skip


class PublishedListEntrySerializer(serializers.ModelSerializer):
    serializer_field_mapping = CAPPED_FIELD_MAPPING  # issue 9 (badinput): text fields capped
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)

    class Meta:
        model = PublishedListEntry
        fields = ["id", "kind", "kind_display", "organization", "title", "body", "sort_order"]


class TicketPhotoSerializer(serializers.ModelSerializer):
    serializer_field_mapping = CAPPED_FIELD_MAPPING  # issue 9 (badinput): text fields capped
    url = serializers.ImageField(source="image", read_only=True, use_url=True)

    class Meta:
        model = TicketPhoto
        fields = ["id", "url", "event", "uploaded_at"]


class TicketSerializer(serializers.ModelSerializer):
    """A ticket as read: state and SLA fields, names of its related rows, the reporter's phone masked."""

    serializer_field_mapping = CAPPED_FIELD_MAPPING  # issue 9 (badinput): text fields capped

    reporter_phone = MaskedCharField(mask_phone, read_only=True)
    channel_display = ChoiceDisplayField(Channel.choices, source="channel")
    status_display = ChoiceDisplayField(TicketStatus.choices, source="status")
    service_item_name = serializers.CharField(source="service_item.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    handling_org_name = serializers.CharField(source="handling_org.name", read_only=True)
    allowed_actions = serializers.SerializerMethodField()
    photos = TicketPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = Ticket
        fields = [
            "id", "reference", "channel", "channel_display", "service_item", "service_item_name", "priority",
            "status", "status_display", "allowed_actions", "reporter", "reporter_name", "reporter_phone",
            "community", "community_name", "grid", "building", "household", "address", "latitude", "longitude",
            "description", "owner", "assignee_user", "assignee_unit", "assignee_department", "handling_level",
            "handling_org", "handling_org_name", "escalation_count", "card", "flagged_for_district",
            "response_due_at", "resolution_due_at", "level_due_at", "accepted_at", "resolved_at", "closed_at",
            "rating", "rating_comment", "rated_at", "created_at", "photos",
        ]  # fmt: skip
        read_only_fields = fields

    def get_allowed_actions(self, ticket) -> list[str]:
        return actions_for(ticket)


def _photos_field():
    return serializers.ListField(
        child=serializers.FileField(validators=[validate_ticket_photo]),
        required=False,
        max_length=MAX_PHOTOS,
        label=_("照片"),
    )


def intake_communities(queryset, user):
    """The communities a user may file a ticket for: those in their scope, and the community of every grid they
    work, since a grid worker's scope is their grids (the phone report page files for the grid's community)."""
    worked = Grid.objects.visible_to(user).values("community")
    return queryset.filter(Q(pk__in=queryset.visible_to(user).values("pk")) | Q(pk__in=worked))


class TicketCreateSerializer(ScopedModelSerializer):
    """Intake: the model's clean() answers per field; ticket_create does the rest (reference, SLA, first event)."""

    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.API, label=_("来源渠道"))
    community = ScopedPrimaryKeyRelatedField(queryset=Organization.objects.all(), scope=intake_communities)
    photos = _photos_field()

    class Meta:
        model = Ticket
        fields = [
            "channel", "service_item", "priority", "reporter", "reporter_name", "reporter_phone", "community",
            "grid", "building", "household", "address", "latitude", "longitude", "description", "photos",
        ]  # fmt: skip

    def validate_service_item(self, item):
        if not item.is_active:
            raise serializers.ValidationError(_("该服务事项已停用。"))
        return item

    def validate(self, attrs):
        # A community reached only through one's grids is filed for with one of those grids, as on the phone page.
        user = self.context["request"].user
        community = attrs.get("community")
        in_scope = community is None or Organization.objects.visible_to(user).filter(pk=community.pk).exists()
        if not in_scope and attrs.get("grid") is None:
            raise serializers.ValidationError({"grid": [_("请选择您负责的网格。")]})
        return super().validate(attrs)


class TicketActionSerializer(ScopedInputSerializer):
    """Input of every transition; each action reads the parameters it needs (dispatch: one assignee)."""

    note = serializers.CharField(required=False, allow_blank=True, default="", label=_("说明"))
    photos = _photos_field()
    assignee_user = ScopedPrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), required=False, allow_null=True, label=_("承办人")
    )
    assignee_unit = ScopedPrimaryKeyRelatedField(
        queryset=ResidentUnit.objects.all(), required=False, allow_null=True, label=_("承办单位")
    )
    assignee_department = serializers.CharField(required=False, allow_blank=True, default="", label=_("承办部门"))
    referral = serializers.CharField(required=False, allow_blank=True, default="", label=_("转介去向"))


class TicketEventSerializer(serializers.ModelSerializer):
    serializer_field_mapping = CAPPED_FIELD_MAPPING  # issue 9 (badinput): text fields capped
    actor_name = serializers.SerializerMethodField()
    photos = TicketPhotoSerializer(many=True, read_only=True)

    class Meta:
        model = TicketEvent
        fields = [
            "id",
            "kind",
            "from_status",
            "to_status",
            "actor",
            "actor_name",
            "note",
            "data",
            "created_at",
            "photos",
        ]

    def get_actor_name(self, event) -> str:
        if event.actor is None:
            return ""
        return event.actor.get_full_name() or event.actor.username


class TicketAddCallSerializer(ScopedInputSerializer):
    """Another call about a ticket on file: what the caller said, and how they got in touch."""

    note = serializers.CharField(required=False, allow_blank=True, default="", max_length=2000, label=_("来电内容"))
    channel = serializers.ChoiceField(choices=Channel.choices, default=Channel.HOTLINE, label=_("来源渠道"))


class DispatchCandidateSerializer(serializers.Serializer):
    """Someone a ticket may be dispatched to: why suggested (on duty for its grid, or community staff), their
    current grids and how many open tickets they already hold."""

    user = serializers.IntegerField(source="user.pk")
    name = serializers.SerializerMethodField()
    role = serializers.CharField(source="user.role")
    reason = serializers.CharField()
    suggested = serializers.BooleanField()
    grids = serializers.SerializerMethodField()
    open_load = serializers.IntegerField()

    def get_name(self, candidate) -> str:
        return candidate.user.get_full_name() or candidate.user.username

    def get_grids(self, candidate) -> list[dict]:
        return [{"id": grid.pk, "code": grid.code, "name": grid.name} for grid in candidate.grids]
