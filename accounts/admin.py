from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from accounts.models import PIIAccessLog, User
from accounts.services import may_change_credentials
from core.admin import ScopedAdminMixin, ScopedModelAdmin


@admin.register(User)
class UserAdmin(ScopedAdminMixin, DjangoUserAdmin):
    list_display = ["username", "get_full_name", "role", "scope", "is_active", "last_login"]
    list_filter = ["role", "is_active"]
    list_select_related = ["scope"]
    autocomplete_fields = ["scope"]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        (_("个人信息"), {"fields": ["last_name", "first_name", "email", "phone"]}),
        (_("角色与范围"), {"fields": ["role", "scope", "is_active"]}),
        (_("重要日期"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [(None, {"classes": ["wide"], "fields": ["username", "password1", "password2", "role", "scope"]})]
    readonly_fields = ["last_login", "date_joined"]

    def has_add_permission(self, request, *args):
        return request.user.is_superuser or (request.user.is_active and request.user.role == "staff")

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def user_change_password(self, request, id, form_url=""):
        # The same rule as the API's: no password set for an account holding a power the admin user lacks.
        # (Django's view logs the change itself, in the account's history.)
        target = self.get_object(request, id)
        if target is not None and not may_change_credentials(user=target, by=request.user):
            raise PermissionDenied
        return super().user_change_password(request, id, form_url)


@admin.register(PIIAccessLog)
class PIIAccessLogAdmin(ScopedModelAdmin):
    list_display = ["viewed_at", "viewer", "subject_label", "fields", "organization", "ip_address"]
    list_filter = ["fields"]
    search_fields = ["viewer__username", "subject_label"]
    list_select_related = ["viewer", "organization"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False
