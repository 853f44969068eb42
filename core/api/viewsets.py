"""The project's base viewset: every API list, read and write goes through the user's scope."""

from django.db import transaction
from rest_framework import viewsets

from core.scoping import ensure_in_scope


class ScopedModelViewSet(viewsets.ModelViewSet):
    """Rows outside the user's scope do not exist for them (404); a write that would land outside is refused.

    Subclasses set `queryset` to a scoped model's queryset (with its select_related) and stay short.
    """

    def get_queryset(self):
        return super().get_queryset().visible_to(self.request.user)

    def perform_create(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            ensure_in_scope(instance, self.request.user)

    def perform_update(self, serializer):
        with transaction.atomic():
            instance = serializer.save()
            ensure_in_scope(instance, self.request.user)
