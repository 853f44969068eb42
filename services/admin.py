"""Admin for the services app: catalogue, published lists, menu, wishes and projects are managed here, scoped.

Tickets are read-mostly: their state moves only through the transition table, so the admin shows a ticket and its
timeline read-only and offers, as bulk actions calling services.tickets.services, the rows of the ticket table that
carry an admin label (moves that need nothing but a click: accept, close). Events and webhook deliveries are
records: read-only. The escalation limits are city-wide settings: every admin user reads them, only superusers
change them.
"""

from django.contrib import admin, messages
from django.contrib.admin.options import IS_POPUP_VAR
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from core.admin import ScopedInlineMixin, ScopedModelAdmin
from core.masking import mask_phone
from services.models import (
    EscalationLimit,
    HousekeeperProject,
    MenuService,
    MicroWish,
    ProxyErrand,
    PublishedListEntry,
    ServiceItem,
    Ticket,
    TicketEvent,
    WebhookDelivery,
    WebhookSubscription,
)
from services.tickets import services
from services.tickets.actions import TICKETS


class ReadOnlyAdminMixin:
    """Rows written only by services (events, deliveries, tickets): viewable in scope, never edited by hand."""

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(ServiceItem)
class ServiceItemAdmin(ScopedModelAdmin):
    list_display = [
        "code", "name", "category", "handling_level", "response_hours", "resolution_hours", "can_proxy", "is_public",
        "is_active", "organization",
    ]  # fmt: skip
    list_filter = ["category", "handling_level", "can_proxy", "is_public", "is_active"]
    search_fields = ["code", "name"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]


@admin.register(EscalationLimit)
class EscalationLimitAdmin(admin.ModelAdmin):
    list_display = ["level", "working_hours", "yellow_card_share"]

    def has_module_permission(self, request):
        return request.user.is_active and request.user.is_staff

    def has_view_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_staff

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser

    def has_change_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser


@admin.register(PublishedListEntry)
class PublishedListEntryAdmin(ScopedModelAdmin):
    list_display = ["title", "kind", "sort_order", "organization"]
    list_filter = ["kind"]
    search_fields = ["title", "body"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]


class TicketEventInline(ScopedInlineMixin, admin.TabularInline):
    model = TicketEvent
    extra = 0
    can_delete = False
    fields = ["created_at", "kind", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    ordering = ["created_at", "id"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("actor")


class ProxyErrandInline(ScopedInlineMixin, admin.StackedInline):
    """The ticket's proxy errand (代办), read-only: it is recorded and returned through services.tickets.errands."""

    model = ProxyErrand
    extra = 0
    can_delete = False
    fields = [
        "runner", "handed_in", "handed_in_where", "handed_in_at", "came_back_at", "outcome_note", "created_by",
        "created_at",
    ]  # fmt: skip
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("runner", "created_by")


def _run_transition(modeladmin, request, queryset, action: str) -> None:
    done = 0
    for ticket in queryset:
        try:
            services.ticket_transition(ticket=ticket, action=action, by=request.user)
            done += 1
        except ValidationError as exc:
            modeladmin.message_user(request, f"{ticket.reference}: {' '.join(exc.messages)}", messages.WARNING)
        except PermissionDenied as exc:
            modeladmin.message_user(request, f"{ticket.reference}: {exc}", messages.WARNING)
    if done:
        modeladmin.message_user(request, _("已处理 %(n)d 件工单。") % {"n": done}, messages.SUCCESS)


@admin.register(Ticket)
class TicketAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    # The columns a staff member scans at 1366 px; channel, level, owner and dates live on the change page.
    list_display = ["reference", "status", "card", "service_item", "where", "assignee", "resolution_due_at"]
    list_filter = ["status", "channel", "card", "handling_level", "flagged_for_district"]
    search_fields = ["reference", "description"]
    list_select_related = ["service_item", "community", "grid", "assignee_user", "assignee_unit"]
    date_hierarchy = "created_at"
    inlines = [ProxyErrandInline, TicketEventInline]
    exclude = ["reporter_phone", "rating_token"]

    def get_readonly_fields(self, request, obj=None):
        return [f.name for f in Ticket._meta.concrete_fields if f.name not in self.exclude] + ["masked_reporter_phone"]

    class Media:
        css = {"all": ["services/admin/ticket_changelist.css"]}

    @admin.display(description=_("社区/网格"), ordering="community__name")
    def where(self, obj):
        return f"{obj.community} · {obj.grid}" if obj.grid_id else str(obj.community)

    @admin.display(description=_("承办"))
    def assignee(self, obj):
        person = obj.assignee_user
        if person is not None:
            return person.get_full_name() or person.username
        return str(obj.assignee_unit or obj.assignee_department or "—")

    @admin.display(description=_("反映人电话"))
    def masked_reporter_phone(self, obj):
        return mask_phone(obj.reporter_phone)

    def has_change_permission(self, request, obj=None):
        return False

    def get_actions(self, request):
        """The admin's bulk moves are the ticket table's rows with an admin label, in the table's order."""
        actions = super().get_actions(request)
        if IS_POPUP_VAR in request.GET:
            return actions
        for row in TICKETS.user_actions():
            if row.admin_label:
                name = f"{row.name}_tickets"
                actions[name] = (_table_action(row.name), name, row.admin_label)
        return actions


def _table_action(name: str):
    def run(modeladmin, request, queryset):
        _run_transition(modeladmin, request, queryset, name)

    return run


@admin.register(TicketEvent)
class TicketEventAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ["ticket", "kind", "from_status", "to_status", "actor", "created_at"]
    list_filter = ["kind"]
    search_fields = ["ticket__reference", "note"]
    list_select_related = ["ticket", "actor"]


@admin.register(MenuService)
class MenuServiceAdmin(ScopedModelAdmin):
    list_display = ["title", "community", "service_item", "provider_kind", "is_active"]
    list_filter = ["provider_kind", "is_active"]
    search_fields = ["title", "description"]
    list_select_related = ["community", "service_item"]
    autocomplete_fields = ["community", "service_item", "provider_org", "provider_member", "provider_unit"]


@admin.register(MicroWish)
class MicroWishAdmin(ScopedModelAdmin):
    """Wishes are posted and edited here; claim, fulfilment and confirmation go through the pages and the API."""

    list_display = ["title", "community", "resident", "status", "posted_at", "claimed_at", "fulfilled_at"]
    list_filter = ["status"]
    search_fields = ["title", "resident__name"]
    list_select_related = ["community", "resident"]
    autocomplete_fields = ["resident", "community", "claimed_by_member", "claimed_by_unit", "claimed_by_org"]
    readonly_fields = [
        "status", "posted_by", "claimed_by_member", "claimed_by_unit", "claimed_by_org", "claimed_at",
        "fulfilled_at", "fulfilment_photo", "confirmed_at",
    ]  # fmt: skip

    def save_model(self, request, obj, form, change):
        if not change:
            obj.posted_by = request.user
        super().save_model(request, obj, form, change)


@admin.register(HousekeeperProject)
class HousekeeperProjectAdmin(ScopedModelAdmin):
    list_display = ["title", "year", "kind", "community", "funded_by", "funding", "carried_out_by", "rating"]
    list_filter = ["year", "kind", "rating"]
    search_fields = ["title", "carried_out_by", "funded_by__name"]
    list_select_related = ["community", "funded_by"]
    autocomplete_fields = ["community", "funded_by"]


@admin.register(WebhookSubscription)
class WebhookSubscriptionAdmin(ScopedModelAdmin):
    list_display = ["url", "organization", "owner", "is_active", "created_at"]
    list_filter = ["is_active"]
    search_fields = ["url"]
    list_select_related = ["organization", "owner"]
    autocomplete_fields = ["organization"]
    exclude = ["owner"]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.owner = request.user
        super().save_model(request, obj, form, change)


@admin.register(WebhookDelivery)
class WebhookDeliveryAdmin(ReadOnlyAdminMixin, ScopedModelAdmin):
    list_display = ["subscription", "event", "status", "attempts", "response_code", "delivered_at", "created_at"]
    list_filter = ["status"]
    list_select_related = ["subscription", "event__ticket"]
