"""Admin for grids and what lies in them. Every class is scoped through core.admin; import/export mixes in later.

The household page lists its residents, so its admin lives in residents.admin (grids never imports residents).
"""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from core.admin import ScopedAdminMixin, ScopedInlineMixin, ScopedModelAdmin
from core.masking import mask_phone
from grids.models import Building, Grid, GridRole, Household, Visit
from grids.resources import BuildingExportAdminMixin


class ReadOnlyListInline(ScopedInlineMixin, admin.TabularInline):
    """Rows listed under their parent and edited on their own page (with its scoped form and services)."""

    extra = 0
    show_change_link = True
    can_delete = False

    def get_readonly_fields(self, request, obj=None):
        return self.fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class GridRoleInline(ScopedInlineMixin, admin.TabularInline):
    model = GridRole
    extra = 0
    autocomplete_fields = ["user", "party_member"]
    fields = ["duty", "name", "phone", "user", "party_member", "started_on", "ended_on"]


class HouseholdInline(ReadOnlyListInline):
    model = Household
    fields = ["unit", "room", "kind", "head", "masked_phone"]

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("head")

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(Grid)
class GridAdmin(ScopedAdminMixin, MPTTModelAdmin):
    list_display = ["name", "code", "grid_level", "community", "branch", "is_active"]
    list_filter = ["grid_level", "is_active"]
    search_fields = ["name", "code"]
    list_select_related = ["community", "branch"]
    autocomplete_fields = ["community", "parent", "branch"]
    mptt_level_indent = 24
    inlines = [GridRoleInline]
    fieldsets = [
        (None, {"fields": ["community", "parent", "grid_level", "code", "name", "branch", "is_active"]}),
        (_("范围"), {"fields": ["boundary", "outline"]}),
    ]


@admin.register(GridRole)
class GridRoleAdmin(ScopedModelAdmin):
    list_display = ["name", "duty", "grid", "masked_phone", "user", "started_on", "ended_on"]
    list_filter = ["duty"]
    search_fields = ["name", "grid__name"]
    list_select_related = ["grid", "user"]
    autocomplete_fields = ["grid", "user", "party_member"]

    @admin.display(description=_("电话"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(Building)
class BuildingAdmin(BuildingExportAdminMixin, ScopedModelAdmin):
    list_display = ["name", "grid", "address", "floors", "units", "kind"]
    list_filter = ["kind"]
    search_fields = ["name", "address", "grid__name"]
    list_select_related = ["grid"]
    autocomplete_fields = ["grid", "party_group"]
    inlines = [HouseholdInline]


@admin.register(Visit)
class VisitAdmin(ScopedModelAdmin):
    """The visitor is whoever records the visit in the admin; it is not a choice."""

    list_display = ["household", "visited_on", "kind", "visitor", "follow_up_needed"]
    list_filter = ["kind", "follow_up_needed", "visited_on"]
    search_fields = ["household__building__name", "household__room", "notes"]
    list_select_related = ["household__building", "visitor"]
    autocomplete_fields = ["household"]
    readonly_fields = ["visitor"]
    date_hierarchy = "visited_on"

    def save_model(self, request, obj, form, change):
        if not change:
            obj.visitor = request.user
        super().save_model(request, obj, form, change)
