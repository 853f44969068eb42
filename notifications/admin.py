from django.contrib import admin

from notifications.models import Notification


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin):
    """Read-only, and each user sees only their own notifications (they are personal, not organization-scoped)."""

    list_display = ["title", "kind", "is_read", "created_at"]
    list_filter = ["kind", "is_read"]
    search_fields = ["title"]
    readonly_fields = ["recipient", "kind", "title", "body", "link", "dedup_key", "is_read", "emailed_at", "created_at"]

    def get_queryset(self, request):
        return super().get_queryset(request).for_user(request.user)

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_module_permission(self, request):
        return self.has_view_permission(request)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
