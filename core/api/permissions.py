from rest_framework.permissions import SAFE_METHODS, BasePermission


class RoleWritePermission(BasePermission):
    """Authenticated users read; only writing roles write. Where they may write is the scope's business."""

    def has_permission(self, request, view) -> bool:
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            return True
        write_roles = getattr(view, "write_roles", None)
        if user.is_superuser:
            return True
        if write_roles is not None:
            return user.role in write_roles
        return user.can_write
