"""Co-building serializers: phones masked, state fields read-only (they move through the services' actions)."""

from decimal import Decimal

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from cobuilding.models import (
    AgendaItem,
    CoBuildingAgreement,
    CommitmentItem,
    CommitmentMeasure,
    CommunityNeed,
    EvaluationRating,
    EvaluationRound,
    FeedbackRating,
    JointMeeting,
    MemberFeedback,
    MemberReport,
    ResidentUnit,
    UnitReport,
    UnitResource,
    Whistle,
    WhistleCall,
)
from cobuilding.services import DEFAULT_ACKNOWLEDGE_HOURS, DEFAULT_RESPOND_HOURS, meeting_create, whistle_blow
from core.api.serializers import MaskedCharField, ScopedModelSerializer, ScopedPrimaryKeyRelatedField
from core.masking import mask_phone


class RoundedFloatField(serializers.FloatField):
    """A ratio or average computed in the database, rounded for reading (fulfilled share 0.6667, score 4.33)."""

    def __init__(self, places: int, **kwargs):
        self.places = places
        super().__init__(**kwargs)

    def to_representation(self, value):
        return None if value is None else round(float(value), self.places)


def _phone(**kwargs):
    return MaskedCharField(mask_phone, max_length=20, required=False, allow_blank=True, **kwargs)


class ResidentUnitSerializer(ScopedModelSerializer):
    contact_phone = _phone()
    kind_display = serializers.CharField(source="get_kind_display", read_only=True)
    registered_with_name = serializers.CharField(source="registered_with.name", read_only=True)
    party_organization_name = serializers.CharField(source="party_organization.name", read_only=True, default="")

    class Meta:
        model = ResidentUnit
        fields = [
            "id", "name", "kind", "kind_display", "partner_category", "registered_with", "registered_with_name",
            "party_organization", "party_organization_name", "contact_person", "contact_phone", "address",
            "party_member_count", "is_active",
        ]  # fmt: skip


class UnitReportSerializer(ScopedModelSerializer):
    liaison_phone = _phone()
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = UnitReport
        # The model's constraints (one active report) are checked by full_clean(); DRF's own copy of them fails on
        fields = [
            "id", "unit", "unit_name", "community", "community_name", "reported_on", "liaison_name", "liaison_phone",
            "status",
        ]  # fmt: skip


class CommitmentItemSerializer(ScopedModelSerializer):
    progress_total = serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True)
    is_fulfilled = serializers.BooleanField(read_only=True)
    unit = serializers.IntegerField(source="agreement.unit_id", read_only=True)

    class Meta:
        model = CommitmentItem
        fields = [
            "id", "agreement", "unit", "title", "kind", "target", "measure", "due_on", "progress_total",
            "is_fulfilled", "verified_at", "verified_by", "source_need",
        ]  # fmt: skip
        read_only_fields = ["verified_at", "verified_by", "source_need"]


class NestedCommitmentItemSerializer(CommitmentItemSerializer):
    class Meta(CommitmentItemSerializer.Meta):
        fields = [f for f in CommitmentItemSerializer.Meta.fields if f not in ("agreement", "unit")]
        read_only_fields = fields


class AgreementSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    items = NestedCommitmentItemSerializer(many=True, read_only=True)
    items_total = serializers.IntegerField(read_only=True)
    items_fulfilled = serializers.IntegerField(read_only=True)
    fulfilled_share = RoundedFloatField(4, read_only=True, allow_null=True)

    class Meta:
        model = CoBuildingAgreement
        fields = [
            "id", "unit", "unit_name", "community", "community_name", "title", "starts_on", "ends_on", "signed_on",
            "status", "notes", "items_total", "items_fulfilled", "fulfilled_share", "items",
        ]  # fmt: skip
        read_only_fields = ["status"]


class AgreementActivateSerializer(serializers.Serializer):
    signed_on = serializers.DateField()


class AgreementTerminateSerializer(serializers.Serializer):
    reason = serializers.CharField(required=False, allow_blank=True, default="")


class CommitmentProgressInputSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    note = serializers.CharField(required=False, allow_blank=True, default="")
    reported_on = serializers.DateField(required=False)


class MemberFeedbackSerializer(ScopedModelSerializer):
    rating_display = serializers.CharField(source="get_rating_display", read_only=True)

    class Meta:
        model = MemberFeedback
        fields = ["id", "report", "year", "rating", "rating_display", "comment", "created_at"]
        read_only_fields = ["report", "created_at"]


class MemberFeedbackInputSerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
    rating = serializers.ChoiceField(choices=FeedbackRating.choices)
    comment = serializers.CharField(required=False, allow_blank=True, default="")


class MemberReportSerializer(ScopedModelSerializer):
    member_name = serializers.CharField(source="member.name", read_only=True)
    member_phone = MaskedCharField(mask_phone, source="member.phone", read_only=True)
    member_organization = serializers.IntegerField(source="member.organization_id", read_only=True)
    community_name = serializers.CharField(source="community.name", read_only=True)
    feedback = MemberFeedbackSerializer(many=True, read_only=True)

    class Meta:
        model = MemberReport
        # The model's constraints (one active report) are checked by full_clean(); DRF's own copy of them fails on
        fields = [
            "id", "member", "member_name", "member_phone", "member_organization", "community", "community_name",
            "reported_on", "service_post", "is_active", "feedback",
        ]  # fmt: skip


class AgendaItemSerializer(ScopedModelSerializer):
    claimed_by_name = serializers.CharField(source="claimed_by.name", read_only=True, default="")
    is_carried_over = serializers.BooleanField(read_only=True)

    class Meta:
        model = AgendaItem
        fields = [
            "id", "meeting", "title", "description", "status", "claimed_by", "claimed_by_name", "claimed_at",
            "due_on", "closed_at", "is_carried_over", "carried_from",
        ]  # fmt: skip
        read_only_fields = ["status", "claimed_by", "claimed_at", "due_on", "closed_at", "carried_from"]


class NestedAgendaItemSerializer(AgendaItemSerializer):
    """An item inside a meeting: on create only its title and description are given."""

    class Meta(AgendaItemSerializer.Meta):
        fields = [f for f in AgendaItemSerializer.Meta.fields if f != "meeting"]

    def validate(self, attrs):  # the meeting does not exist yet; the service validates the item
        return attrs


class JointMeetingSerializer(ScopedModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    items = NestedAgendaItemSerializer(many=True, required=False)

    class Meta:
        model = JointMeeting
        fields = ["id", "community", "community_name", "held_at", "place", "attending_units", "minutes", "items"]

    def create(self, validated_data):
        items = validated_data.pop("items", [])
        return meeting_create(
            community=validated_data["community"], held_at=validated_data["held_at"], place=validated_data["place"],
            units=validated_data.get("attending_units", []), minutes=validated_data.get("minutes", ""),
            items=[{"title": i["title"], "description": i.get("description", "")} for i in items],
            by=self.context["request"].user,
        )  # fmt: skip

    def update(self, instance, validated_data):
        if validated_data.pop("items", None):
            raise serializers.ValidationError({"items": [_("议题请在会议议题接口中逐条修改。")]})
        return super().update(instance, validated_data)


class ItemClaimSerializer(serializers.Serializer):
    unit = ScopedPrimaryKeyRelatedField(queryset=ResidentUnit.objects.all(), required=False)
    due_on = serializers.DateField()

    def validate(self, attrs):
        user = self.context["request"].user
        if "unit" not in attrs:
            if not user.unit_id:
                raise serializers.ValidationError({"unit": [_("请选择认领单位。")]})
            attrs["unit"] = user.unit
        return attrs


class ItemProgressNoteSerializer(serializers.Serializer):
    note = serializers.CharField()


class WhistleCallSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    whistle_title = serializers.CharField(source="whistle.title", read_only=True)

    class Meta:
        model = WhistleCall
        fields = [
            "id", "whistle", "whistle_title", "unit", "unit_name", "acknowledge_by", "respond_by", "status",
            "acknowledged_at", "responded_at", "response", "overdue_at",
        ]  # fmt: skip
        read_only_fields = fields


class NestedWhistleCallSerializer(WhistleCallSerializer):
    class Meta(WhistleCallSerializer.Meta):
        fields = [f for f in WhistleCallSerializer.Meta.fields if f not in ("whistle", "whistle_title")]
        read_only_fields = fields


class WhistleSerializer(ScopedModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)
    calls = NestedWhistleCallSerializer(many=True, read_only=True)
    units = ScopedPrimaryKeyRelatedField(
        queryset=ResidentUnit.objects.all(), many=True, write_only=True, label=_("被叫单位")
    )
    acknowledge_hours = serializers.IntegerField(
        write_only=True, min_value=1, default=DEFAULT_ACKNOWLEDGE_HOURS, label=_("报到时限（小时）")
    )
    respond_hours = serializers.IntegerField(
        write_only=True, min_value=1, default=DEFAULT_RESPOND_HOURS, label=_("答复时限（小时）")
    )

    class Meta:
        model = Whistle
        fields = [
            "id", "community", "community_name", "title", "description", "blown_at", "ticket_reference", "units",
            "acknowledge_hours", "respond_hours", "calls",
        ]  # fmt: skip
        read_only_fields = ["blown_at"]

    def get_fields(self):
        fields = super().get_fields()
        if self.instance is not None:  # the called units and deadlines are set once, when the whistle is blown
            for name in ("units", "acknowledge_hours", "respond_hours"):
                fields.pop(name)
        return fields

    def create(self, validated_data):
        return whistle_blow(by=self.context["request"].user, **validated_data)


class CallRespondSerializer(serializers.Serializer):
    response = serializers.CharField()


class CommunityNeedSerializer(ScopedModelSerializer):
    community_name = serializers.CharField(source="community.name", read_only=True)

    class Meta:
        model = CommunityNeed
        fields = ["id", "community", "community_name", "title", "kind", "description", "status", "published_on"]
        read_only_fields = ["status"]


class NeedMatchSerializer(serializers.Serializer):
    agreement = ScopedPrimaryKeyRelatedField(queryset=CoBuildingAgreement.objects.all())
    target = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    due_on = serializers.DateField()
    measure = serializers.ChoiceField(choices=CommitmentMeasure.choices, default=CommitmentMeasure.COUNT)


class UnitResourceSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = UnitResource
        fields = ["id", "unit", "unit_name", "title", "kind", "description", "is_available"]


class EvaluationRoundSerializer(ScopedModelSerializer):
    organization_name = serializers.CharField(source="organization.name", read_only=True)
    ratings_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = EvaluationRound
        fields = ["id", "organization", "organization_name", "year", "opens_on", "closes_on", "ratings_count"]


class EvaluationRatingSerializer(ScopedModelSerializer):
    unit_name = serializers.CharField(source="unit.name", read_only=True)

    class Meta:
        model = EvaluationRating
        fields = ["id", "round", "unit", "unit_name", "rater_kind", "score", "comment", "created_at"]
        read_only_fields = ["created_at"]


class EvaluationResultSerializer(serializers.Serializer):
    unit = serializers.IntegerField()
    unit_name = serializers.CharField(source="unit__name")
    year = serializers.IntegerField(source="round__year")
    average_score = RoundedFloatField(2)
    responses = serializers.IntegerField()
    resident_responses = serializers.IntegerField()
    party_member_responses = serializers.IntegerField()


class _ShareSerializer(serializers.Serializer):
    items_total = serializers.IntegerField()
    items_fulfilled = serializers.IntegerField()
    fulfilled_share = RoundedFloatField(4, allow_null=True)


class _MembersSerializer(serializers.Serializer):
    members_reported = serializers.IntegerField()
    feedback_given = serializers.IntegerField()
    feedback_by_rating = serializers.DictField(child=serializers.IntegerField())


class _WhistlePointsSerializer(serializers.Serializer):
    calls = serializers.IntegerField()
    on_time = serializers.IntegerField()
    late = serializers.IntegerField()
    unanswered = serializers.IntegerField()
    open = serializers.IntegerField()
    acknowledged_on_time = serializers.IntegerField()
    points = serializers.IntegerField()


class _EvaluationFiguresSerializer(serializers.Serializer):
    average_score = RoundedFloatField(2, allow_null=True)
    responses = serializers.IntegerField()
    resident_responses = serializers.IntegerField()
    party_member_responses = serializers.IntegerField()


class UnitYearlySerializer(serializers.Serializer):
    """GET /units/{id}/yearly/?year=: the figures of the unit's yearly review, as the reader's scope sees them."""

    unit = serializers.IntegerField()
    unit_name = serializers.CharField()
    year = serializers.IntegerField()
    commitments = _ShareSerializer()
    members = _MembersSerializer()
    whistles = _WhistlePointsSerializer()
    evaluation = _EvaluationFiguresSerializer()


class YearQuerySerializer(serializers.Serializer):
    year = serializers.IntegerField(min_value=2000, max_value=2100)
