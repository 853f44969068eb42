"""The scoped ModelAdmin: every admin list, form, foreign-key choice and save goes through the user's scope."""

from functools import wraps

from django.contrib import admin
from django.contrib.admin.utils import unquote
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.forms import MaskedPIIField
from core.masking import pii_masker_for
from core.pii import searchable_fields
from core.scoping import CHANGE, ensure_in_scope

admin.site.site_header = _("同心圆 党建引领社区治理平台")
# The sidebar's 300 px of model links cut the changelists' last columns off on a 1366 px laptop; the index page and
# the breadcrumbs lead to every model as well.
admin.site.enable_nav_sidebar = False
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


class PIIMaskedAdminMixin:
    """ID numbers and phones masked on every admin change page, in editable fields and read-only ones alike.

    Editable: the model field's form field becomes core.forms.MaskedPIIField (unchanged mask keeps the stored value).
    Read-only (an official's change page, read-only inlines): the field is shown as `masked_<name>`, which
    `__getattr__` answers with a masked display (the admin would show the model's own field in full). An admin
    that logs full views itself (ResidentAdmin) returns True from `reveals_full_pii` for users holding the permission.
    """

    def reveals_full_pii(self, request) -> bool:
        return False

    def get_search_fields(self, request):
        # Searching by a full ID number or phone confirms whom it belongs to: only for those who may see it.
        return searchable_fields(super().get_search_fields(request), request.user)

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        masker = pii_masker_for(db_field.name)
        if masker is not None and not db_field.choices and not self.reveals_full_pii(request):
            kwargs.update(form_class=MaskedPIIField, masker=masker)
        return super().formfield_for_dbfield(db_field, request, **kwargs)

    def get_fieldsets(self, request, obj=None):
        # A read-only PII field would be displayed from the model in full: show `masked_<name>` (below) instead.
        all_readonly = obj is not None and not self.has_change_permission(request, obj)
        declared = set(super().get_readonly_fields(request, obj))

        def shown(name):
            if isinstance(name, (list, tuple)):
                return type(name)(shown(n) for n in name)
            return f"masked_{name}" if pii_masker_for(name) and (all_readonly or name in declared) else name

        # The read-only masked twins are also listed among the read-only fields: show each field once.
        seen: set[str] = set()

        def once(names):
            kept = []
            for name in names:
                key = name if isinstance(name, str) else tuple(name)
                if key not in seen:
                    seen.add(key)
                    kept.append(name)
            return kept

        return [
            (title, {**opts, "fields": once(shown(opts["fields"]))})
            for title, opts in super().get_fieldsets(request, obj)
        ]

    def get_readonly_fields(self, request, obj=None):
        readonly = [f"masked_{n}" if pii_masker_for(n) else n for n in super().get_readonly_fields(request, obj)]
        if obj is not None and not self.has_change_permission(request, obj):  # shown masked by get_fieldsets
            readonly += [f"masked_{f.name}" for f in self.model._meta.concrete_fields if pii_masker_for(f.name)]
        return readonly

    def __getattr__(self, name):
        field_name = name.removeprefix("masked_")
        masker = pii_masker_for(field_name) if name.startswith("masked_") else None
        if masker is None:
            raise AttributeError(name)

        def masked(obj):
            return masker(getattr(obj, field_name, "") or "")

        masked.short_description = self.model._meta.get_field(field_name).verbose_name
        return masked


class ScopedAdminMixin(PIIMaskedAdminMixin):
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
        # Exactly the object views Django names (not, say, the user admin's "<app>_<model>_password_change").
        info = f"{self.opts.app_label}_{self.opts.model_name}"
        object_views = {f"{info}_change", f"{info}_delete", f"{info}_history"}
        for pattern in urls:
            if pattern.name in object_views:
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


class ScopedInlineMixin(PIIMaskedAdminMixin):
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
