from rest_framework import serializers

from core.api.fields import CAPPED_FIELD_MAPPING
from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    serializer_field_mapping = CAPPED_FIELD_MAPPING  # issue 9 (badinput): text fields capped

    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "is_read", "created_at"]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkReadSerializer(serializers.Serializer):
    """Without ids, every unread notification of the user is marked read."""

    # An id past the database's integer range is a 400, not an overflow inside the query.
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=2**63 - 1), required=False, allow_empty=False
    )


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
