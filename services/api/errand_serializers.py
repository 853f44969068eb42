"""The API's proxy errand (代办) shapes: the errand as read, and the input of its two steps (record, came back)."""

from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.api.fields import CAPPED_FIELD_MAPPING
from core.api.serializers import ScopedInputSerializer, ScopedPrimaryKeyRelatedField
from services.models import ProxyErrand
from services.tickets.selectors import errand_runners


class ProxyErrandSerializer(serializers.ModelSerializer):
    serializer_field_mapping = CAPPED_FIELD_MAPPING
    runner_name = serializers.SerializerMethodField()
    returned = serializers.BooleanField(read_only=True)

    class Meta:
        model = ProxyErrand
        fields = [
            "id", "ticket", "runner", "runner_name", "handed_in", "handed_in_where", "handed_in_at", "came_back_at",
            "returned", "outcome_note", "created_by", "created_at",
        ]  # fmt: skip
        read_only_fields = fields

    def get_runner_name(self, errand) -> str:
        return errand.runner.get_full_name() or errand.runner.username


class ProxyErrandRecordSerializer(ScopedInputSerializer):
    """Record the errand: the runner (the caller or a staff member / grid worker they may see), what and where."""

    runner = ScopedPrimaryKeyRelatedField(
        queryset=get_user_model().objects.all(), scope=lambda queryset, user: errand_runners(user), label=_("代办人")
    )
    handed_in = serializers.CharField(max_length=2000, label=_("递交材料"))
    handed_in_where = serializers.CharField(max_length=200, label=_("递交地点"))
    handed_in_at = serializers.DateTimeField(label=_("递交时间"))
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", label=_("说明"))


class ProxyErrandReturnSerializer(ScopedInputSerializer):
    """The result came back: when (now if left out), and what came of it."""

    came_back_at = serializers.DateTimeField(required=False, allow_null=True, default=None, label=_("办回时间"))
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True, default="", label=_("办理结果"))
