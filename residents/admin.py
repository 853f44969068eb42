"""Admin for residents: masked by default, full values only with the permission and then logged."""

from django.contrib import admin
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from core.admin import ScopedModelAdmin
from core.client_ip import client_ip
from core.masking import mask_id_number, mask_phone
from core.pii import can_view_full_pii, reveal_pii
from grids.admin import ReadOnlyListInline
from grids.models import Household
from grids.resources import HouseholdExportAdminMixin
from residents.import_admin import ResidentImportExportAdminMixin
from residents.models import CareTag, ResidenceHistory, Resident
from residents.services import resident_create

PII_FIELDS = ("id_number", "phone")
# Set by the server (name_initials by save(), the rest by the database): never passed to resident_create.
_SERVER_FIELDS = {"id", "name_initials", "created_at", "updated_at"}


class ResidenceHistoryInline(admin.TabularInline):
    model = ResidenceHistory
    extra = 0
    fields = ["household", "moved_in_on", "moved_out_on", "note"]
    readonly_fields = fields
    can_delete = False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("household__building")

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Resident)
class ResidentAdmin(ResidentImportExportAdminMixin, ScopedModelAdmin):
    """ID number and phone masked (core.admin's masked fields) unless the user holds the PII permission.

    With the permission the change form shows (and lets them correct) the full values, and opening it is logged
    like every other full view. A change of household is a move with history, done by the move service.
    """

    list_display = ["name", "gender", "masked_id_number", "masked_phone", "household", "relation", "status"]
    list_filter = ["status", "tags", "political_status", "gender"]
    search_fields = ["name", "^name_initials", "=id_number", "=phone"]  # numbers: core.admin keeps them for PII viewers
    list_select_related = ["household__building"]
    autocomplete_fields = ["household", "party_member"]
    filter_horizontal = ["tags"]
    inlines = [ResidenceHistoryInline]

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)

    def reveals_full_pii(self, request) -> bool:
        # Opening the change page with the permission is a full view, logged in change_view below.
        return can_view_full_pii(request.user)

    def get_readonly_fields(self, request, obj=None):
        readonly = list(super().get_readonly_fields(request, obj))
        if obj is not None:
            readonly.append("household")
        return readonly

    def change_view(self, request, object_id, form_url="", extra_context=None):
        if request.method == "GET" and can_view_full_pii(request.user):
            resident = self.get_queryset(request).select_related("household__building__grid").filter(pk=object_id)
            resident = resident.first()
            if resident is not None:
                reveal_pii(
                    instance=resident, organization=resident.household.building.grid.community, by=request.user,
                    ip_address=client_ip(request), fields=PII_FIELDS,
                )  # fmt: skip
        return super().change_view(request, object_id, form_url, extra_context)

    def save_model(self, request, obj, form, change):
        if change:
            return super().save_model(request, obj, form, change)
        # A new resident goes through the service so their first residence record is written with them.
        with transaction.atomic():
            values = {f.attname: getattr(obj, f.attname) for f in obj._meta.concrete_fields}
            created = resident_create(by=request.user, **{k: v for k, v in values.items() if k not in _SERVER_FIELDS})
            obj.pk, obj._state.adding = created.pk, False
            obj.created_at, obj.updated_at, obj.name_initials = (
                created.created_at,
                created.updated_at,
                created.name_initials,
            )


@admin.register(ResidenceHistory)
class ResidenceHistoryAdmin(ScopedModelAdmin):
    """Written only by the resident services; the admin reads it."""

    list_display = ["resident", "household", "moved_in_on", "moved_out_on", "note"]
    list_filter = ["moved_in_on"]
    search_fields = ["resident__name", "^resident__name_initials"]
    list_select_related = ["resident", "household__building"]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(CareTag)
class CareTagAdmin(admin.ModelAdmin):
    """A city-wide list: any admin user reads it, writing admin users (staff) and superusers edit it."""

    list_display = ["name", "code", "needs_care_visits", "sort_order"]
    list_editable = ["sort_order"]
    search_fields = ["name", "code"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_staff and request.user.can_write

    def has_change_permission(self, request, obj=None):
        return self.has_add_permission(request)

    def has_delete_permission(self, request, obj=None):
        return self.has_add_permission(request)


# --- Households: their page lists the residents, so it lives here, above grids -------------------------------


class ResidentInline(ReadOnlyListInline):
    model = Resident
    fields = ["name", "relation", "gender", "masked_id_number", "masked_phone", "status"]

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(Household)
class HouseholdAdmin(HouseholdExportAdminMixin, ScopedModelAdmin):
    list_display = ["__str__", "building", "unit", "room", "kind", "head", "masked_phone"]
    list_filter = ["kind"]
    search_fields = ["room", "building__name", "=phone"]  # the phone: core.admin keeps it for PII viewers
    list_select_related = ["building", "head"]
    autocomplete_fields = ["building", "head"]
    inlines = [ResidentInline]

    @admin.display(description=_("联系电话"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)
