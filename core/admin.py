"""The scoped ModelAdmin: every admin list, form, foreign-key choice and save goes through the user's scope."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.scoping import CHANGE, ensure_in_scope

admin.site.site_header = _("同心圆 党建引领社区治理平台")
admin.site.site_title = _("同心圆")
admin.site.index_title = _("管理后台")


def scoped_choice_kwargs(db_field, request, kwargs: dict) -> dict:
    """Offer only rows the user may see in a foreign-key or many-to-many widget."""
    queryset = kwargs.get("queryset", db_field.remote_field.model._default_manager.all())
    if hasattr(queryset, "visible_to"):
        kwargs["queryset"] = queryset.visible_to(request.user)
    return kwargs


def _is_admin_user(request) -> bool:
    return request.user.is_active and request.user.is_staff


def _is_admin_writer(request) -> bool:
    return _is_admin_user(request) and request.user.can_write


class ScopedAdminMixin:
    """Staff manage what lies in their scope; officials see it read-only; nothing outside it exists for them."""

    def get_queryset(self, request):
        return super().get_queryset(request).visible_to(request.user)

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **scoped_choice_kwargs(db_field, request, kwargs))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        return super().formfield_for_manytomany(db_field, request, **scoped_choice_kwargs(db_field, request, kwargs))

    def has_view_permission(self, request, obj=None):
        return _is_admin_user(request)

    def has_module_permission(self, request):
        return _is_admin_user(request)

    def has_add_permission(self, request, *args):
        return _is_admin_writer(request)

    def has_change_permission(self, request, obj=None):
        return _is_admin_writer(request)

    def has_delete_permission(self, request, obj=None):
        return _is_admin_writer(request)

    def get_urls(self):
        """Every view of one object answers "not found" for a key that cannot be a primary key ("abc").

        Django's get_object() already does, but an override reading the object first (the PII log on the residents'
        change page) would pass "abc" to the database; checking at the URL covers every such override at once.
        """
        urls = super().get_urls()
        for pattern in urls:
            if pattern.name and pattern.name.endswith(("_change", "_delete", "_history")):
                pattern.callback = self._refusing_invalid_pk(pattern.callback)
        return urls

    def _refusing_invalid_pk(self, view):
        @wraps(view)
        def checked(request, object_id, *args, **kwargs):
            try:
                self.opts.pk.to_python(unquote(object_id))
            except (ValidationError, ValueError):
                return self._missing_object(request, view.__name__, object_id)
            return view(request, object_id, *args, **kwargs)

        return checked

    def _missing_object(self, request, view_name: str, object_id: str):
        """What Django's own view answers for a missing object: the permission check first, then the redirect."""
        if view_name == "delete_view":
            allowed = self.has_delete_permission(request)
        elif view_name == "change_view" and request.method == "POST":
            allowed = self.has_change_permission(request)
        else:
            allowed = view_name == "history_view" or self.has_view_or_change_permission(request)
        if not allowed:
            raise PermissionDenied
        return self._get_obj_does_not_exist_redirect(request, self.opts, object_id)

    def save_model(self, request, obj, form, change):
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            ensure_in_scope(obj, request.user, CHANGE)


class ScopedModelAdmin(ScopedAdminMixin, admin.ModelAdmin):
    pass


class ScopedInlineMixin:
    """Inlines share the parent's rules: scoped foreign-key choices and role-based write permission."""

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        return super().formfield_for_foreignkey(db_field, request, **scoped_choice_kwargs(db_field, request, kwargs))

    def has_view_permission(self, request, obj=None):
        return _is_admin_user(request)

    def has_add_permission(self, request, obj=None):
        return _is_admin_writer(request)

    def has_change_permission(self, request, obj=None):
        return _is_admin_writer(request)

    def has_delete_permission(self, request, obj=None):
        return _is_admin_writer(request)
