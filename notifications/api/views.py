"""The user's own notifications. Not organization-scoped: a notification belongs to its recipient alone."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response

from core.api.viewsets import ScopedReadOnlyViewSet
from notifications.api.serializers import (
    MarkedSerializer,
    MarkReadSerializer,
    NotificationSerializer,
    UnreadCountSerializer,
)
from notifications.models import Notification
from notifications.services import mark_read


class NotificationViewSet(ScopedReadOnlyViewSet):
    # Everyone may mark their own notifications read, read-only officials included.
    permission_classes = [IsAuthenticated]
    queryset = Notification.objects.all()
    serializer_class = NotificationSerializer
    filterset_fields = ["kind", "is_read"]
    ordering_fields = ["created_at"]

    def get_base_queryset(self):
        # A notification's scope is its recipient (for_user), not a place in the organization tree.
        return Notification.objects.for_user(self.request.user)

    @extend_schema(responses=UnreadCountSerializer)
    @action(detail=False, url_path="unread-count", filter_backends=[], pagination_class=None)
    def unread_count(self, request):
        return Response({"unread": self.get_queryset().unread().count()})

    @extend_schema(request=MarkReadSerializer, responses=MarkedSerializer)
    @action(detail=False, methods=["post"], url_path="mark-read", filter_backends=[], pagination_class=None)
    def mark_read(self, request):
        serializer = MarkReadSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return Response({"marked": mark_read(user=request.user, ids=serializer.validated_data.get("ids"))})

    @extend_schema(request=None, responses=NotificationSerializer)
    @action(detail=True, methods=["post"])
    def read(self, request, pk=None):
        notification = self.get_object()
        mark_read(user=request.user, ids=[notification.pk])
        notification.refresh_from_db()
        return Response(self.get_serializer(notification).data)
