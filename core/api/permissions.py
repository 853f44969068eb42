from __future__ import annotations

from typing import TYPE_CHECKING

from rest_framework.permissions import SAFE_METHODS, BasePermission

if TYPE_CHECKING:
    from rest_framework.request import Request
    from rest_framework.views import APIView


class RoleWritePermission(BasePermission):
    """Authenticated users read; only writing roles write. Where they may write is the scope's business."""

    def has_permission(self, request: Request, view: APIView) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        write_roles = getattr(view, "write_roles", None)
        if user.is_superuser:
            return True
        if write_roles is not None:
            return bool(user.role in write_roles)
        return bool(user.can_write)
