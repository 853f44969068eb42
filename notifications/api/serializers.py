from rest_framework import serializers

from notifications.models import Notification


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "kind", "title", "body", "link", "is_read", "created_at"]
        read_only_fields = fields


class UnreadCountSerializer(serializers.Serializer):
    unread = serializers.IntegerField()


class MarkReadSerializer(serializers.Serializer):
    """Without ids, every unread notification of the user is marked read."""

    ids = serializers.ListField(child=serializers.IntegerField(min_value=1), required=False, allow_empty=False)


class MarkedSerializer(serializers.Serializer):
    marked = serializers.IntegerField()
