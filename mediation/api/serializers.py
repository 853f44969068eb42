"""Dispute cases through the API: parties' phones always masked on the way out; state changes are actions."""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from accounts.models import User
from core.api.fields import CappedTextField
from core.api.serializers import MaskedCharField, ScopedInputSerializer, ScopedModelSerializer
from core.api.serializers import ScopedPrimaryKeyRelatedField as ScopedPK
from core.masking import mask_phone
from grids.models import Visit
from mediation.models import MIN_PARTIES, DisputeCase, DisputeParty, MediationSession
from mediation.services import PartyDetails, case_open
from mediation.transitions import OUTCOME_ACTIONS
from residents.models import Resident


def _mediator_scope(queryset, user):
    """The requester themselves, or a user they can see (the service checks the mediator may handle the case)."""
    return queryset.filter(pk=user.pk) | queryset.visible_to(user)


class DisputePartySerializer(ScopedModelSerializer):
    name = serializers.CharField(max_length=50, required=False, allow_blank=True)
    resident_name = serializers.CharField(source="resident.name", read_only=True, default="")
    phone = MaskedCharField(mask_phone, max_length=20, required=False, allow_blank=True)

    class Meta:
        model = DisputeParty
        fields = ["id", "resident", "resident_name", "name", "phone"]
        extra_kwargs = {"resident": {"required": False, "allow_null": True}}

    def details(self, data: dict) -> PartyDetails:
        return PartyDetails(resident=data.get("resident"), name=data.get("name", ""), phone=data.get("phone", ""))


class MediationSessionSerializer(ScopedModelSerializer):
    class Meta:
        model = MediationSession
        fields = ["id", "held_at", "place", "attendees", "notes", "recorded_by"]
        read_only_fields = ["recorded_by"]


class DisputeCaseSerializer(ScopedModelSerializer):
    """Opened through mediation.services.case_open with its parties (at least two); edits touch only the facts."""

    mediator = ScopedPK(queryset=User.objects.all(), scope=_mediator_scope, required=False)
    parties = DisputePartySerializer(many=True)
    sessions = MediationSessionSerializer(many=True, read_only=True)
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)

    class Meta:
        model = DisputeCase
        fields = [
            "id", "reference", "community", "grid", "kind", "kind_display", "summary", "status", "status_display",
            "mediator", "opened_by", "opened_at", "source_visit", "source_ticket", "parties", "sessions",
            "concluded_at", "agreement_text", "referred_to", "failure_reason",
            "follow_up_on", "follow_up_visit", "follow_up_notes",
        ]  # fmt: skip
        extra_kwargs = {"community": {"required": False}}  # taken from the grid when one is named
        read_only_fields = [
            "reference", "status", "opened_by", "opened_at", "concluded_at", "agreement_text", "referred_to",
            "failure_reason", "follow_up_on", "follow_up_visit", "follow_up_notes",
        ]  # fmt: skip

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # parties are added one by one afterwards (the parties action)
            fields["parties"].read_only = True
        return fields

    def validate_parties(self, value):
        if len(value) < MIN_PARTIES:
            raise serializers.ValidationError(_("调解至少需要两方当事人。"))
        return value

    def validate(self, attrs):
        if "mediator" not in attrs and self.instance is None:
            attrs["mediator"] = self.context["request"].user
        if attrs.get("grid") is not None and "community" not in attrs:
            attrs["community"] = attrs["grid"].community
        return super().validate(attrs)

    def create(self, validated_data):
        parties = [self.fields["parties"].child.details(p) for p in validated_data.pop("parties")]
        return case_open(case=DisputeCase(**validated_data), parties=parties, by=self.context["request"].user)


class SessionInputSerializer(ScopedInputSerializer):
    held_at = serializers.DateTimeField()
    place = serializers.CharField(max_length=200, required=False, allow_blank=True, default="")
    attendees = serializers.CharField(max_length=500, required=False, allow_blank=True, default="")
    notes = CappedTextField()


class ConcludeInputSerializer(ScopedInputSerializer):
    action = serializers.ChoiceField(choices=[(a.name, a.label) for a in OUTCOME_ACTIONS])
    text = CappedTextField()
    concluded_at = serializers.DateTimeField(required=False, allow_null=True, default=None)


class PartyInputSerializer(ScopedInputSerializer):
    resident = ScopedPK(queryset=Resident.objects.all(), required=False, allow_null=True, default=None)
    name = serializers.CharField(max_length=50, required=False, allow_blank=True, default="")
    phone = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class FollowUpInputSerializer(ScopedInputSerializer):
    follow_up_on = serializers.DateField()
    notes = CappedTextField()
    visit = ScopedPK(queryset=Visit.objects.all(), required=False, allow_null=True, default=None)


class StatsQuerySerializer(serializers.Serializer):
    org = serializers.IntegerField(required=False, min_value=1)
    grid = serializers.IntegerField(required=False, min_value=1)
    since = serializers.DateField(required=False)
    until = serializers.DateField(required=False)

    def validate(self, attrs):
        if "org" in attrs and "grid" in attrs:
            raise serializers.ValidationError(_("org 与 grid 只能指定其中一个。"))
        if attrs.get("since") and attrs.get("until") and attrs["since"] > attrs["until"]:
            raise serializers.ValidationError({"until": [_("结束日期不能早于开始日期。")]})
        return attrs
