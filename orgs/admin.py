from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from mptt.admin import MPTTModelAdmin

from core.admin import ScopedAdminMixin, ScopedInlineMixin, ScopedModelAdmin
from core.masking import mask_id_number, mask_phone
from orgs.models import Organization, OrgPosition, PartyMember


class OrgPositionInline(ScopedInlineMixin, admin.TabularInline):
    model = OrgPosition
    extra = 0
    autocomplete_fields = ["member"]
    fields = ["member", "title", "started_on", "ended_on", "cross_body", "cross_title"]


class PartyMemberInline(ScopedInlineMixin, admin.TabularInline):
    """The member list of one organization, read here; members are edited on their own page."""

    model = PartyMember
    extra = 0
    fields = ["name", "gender", "kind", "joined_on", "is_central_household", "is_active"]
    readonly_fields = fields
    show_change_link = True
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Organization)
class OrganizationAdmin(ScopedAdminMixin, MPTTModelAdmin):
    list_display = ["name", "code", "level", "secretary", "is_active"]
    list_filter = ["level", "is_active"]
    search_fields = ["name", "code", "address"]
    list_select_related = ["secretary"]
    autocomplete_fields = ["parent", "secretary"]
    mptt_level_indent = 24
    inlines = [OrgPositionInline, PartyMemberInline]
    fieldsets = [
        (None, {"fields": ["name", "code", "level", "parent", "secretary", "is_active"]}),
        (_("联系方式"), {"fields": ["phone", "address", "founded_on"]}),
    ]


@admin.register(PartyMember)
class PartyMemberAdmin(ScopedModelAdmin):
    list_display = ["name", "gender", "masked_id_number", "masked_phone", "kind", "organization", "is_active"]
    list_filter = ["kind", "gender", "is_central_household", "is_active"]
    search_fields = ["name", "=id_number", "=phone"]  # numbers: core.admin keeps them for PII viewers
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    inlines = [OrgPositionInline]

    @admin.display(description=_("身份证号"))
    def masked_id_number(self, obj):
        return mask_id_number(obj.id_number)

    @admin.display(description=_("手机号"))
    def masked_phone(self, obj):
        return mask_phone(obj.phone)


@admin.register(OrgPosition)
class OrgPositionAdmin(ScopedModelAdmin):
    list_display = ["member", "title", "organization", "started_on", "ended_on", "cross_body", "cross_title"]
    list_filter = ["title", "cross_body"]
    search_fields = ["member__name", "organization__name"]
    list_select_related = ["member", "organization"]
    autocomplete_fields = ["member", "organization"]
