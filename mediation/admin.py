"""Admin for dispute cases: scoped through core.admin; parties and sessions edited inline, phones masked."""

from django.contrib import admin

from core.admin import ScopedInlineMixin, ScopedModelAdmin
from mediation.models import DisputeCase, DisputeParty, MediationSession


class DisputePartyInline(ScopedInlineMixin, admin.TabularInline):
    model = DisputeParty
    extra = 0
    autocomplete_fields = ["resident"]
    fields = ["resident", "name", "phone"]


class MediationSessionInline(ScopedInlineMixin, admin.StackedInline):
    model = MediationSession
    extra = 0
    fields = ["held_at", "place", "attendees", "notes", "recorded_by"]
    readonly_fields = ["recorded_by"]


@admin.register(DisputeCase)
class DisputeCaseAdmin(ScopedModelAdmin):
    list_display = ["reference", "kind", "status", "community", "grid", "mediator", "opened_at", "concluded_at"]
    list_filter = ["status", "kind"]
    search_fields = ["reference", "summary", "parties__name"]
    list_select_related = ["community", "grid", "mediator"]
    autocomplete_fields = ["community", "grid", "mediator"]
    raw_id_fields = ["source_visit", "source_ticket", "follow_up_visit"]
    readonly_fields = ["reference", "opened_by"]
    date_hierarchy = "opened_at"
    inlines = [DisputePartyInline, MediationSessionInline]
    fieldsets = [
        (None, {"fields": ["reference", "community", "grid", "kind", "summary", "mediator", "opened_by", "opened_at"]}),
        (None, {"fields": ["source_visit", "source_ticket"]}),
        (None, {"fields": ["status", "concluded_at", "agreement_text", "referred_to", "failure_reason"]}),
        (None, {"fields": ["follow_up_on", "follow_up_visit", "follow_up_notes"]}),
    ]

    def save_model(self, request, obj, form, change):
        super().save_model(request, obj, form, change)
        if not obj.reference:  # a case entered through the admin is numbered as case_open numbers it
            obj.assign_reference()
            obj.save(update_fields=["reference"])
