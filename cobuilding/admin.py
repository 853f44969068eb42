"""Admin for co-building, for community staff: every class scoped through core.admin; state changes via services."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils.translation import gettext_lazy as _

from cobuilding import selectors, services
from cobuilding.models import (
    AgendaItem,
    CoBuildingAgreement,
    CommitmentItem,
    CommitmentProgress,
    CommunityNeed,
    DeputyDuty,
    DeputyMatter,
    EvaluationRating,
    EvaluationRound,
    JointMeeting,
    MemberFeedback,
    MemberParticipation,
    MemberReport,
    ResidentUnit,
    UnitReport,
    UnitResource,
    Whistle,
    WhistleCall,
)
from core.admin import ScopedInlineMixin, ScopedModelAdmin
from core.masking import mask_phone


class MaskedPhoneMixin:
    """Phone columns and read-only fields are shown masked; the full number is entered in the form only."""

    @admin.display(description=_("联系电话"))
    def masked_contact_phone(self, obj):
        return mask_phone(obj.contact_phone)

    @admin.display(description=_("联络员电话"))
    def masked_liaison_phone(self, obj):
        return mask_phone(obj.liaison_phone)


class UnitReportInline(MaskedPhoneMixin, ScopedInlineMixin, admin.TabularInline):
    model = UnitReport
    extra = 0
    fields = ["community", "reported_on", "liaison_name", "liaison_phone", "status"]
    autocomplete_fields = ["community"]


@admin.register(ResidentUnit)
class ResidentUnitAdmin(MaskedPhoneMixin, ScopedModelAdmin):
    list_display = ["name", "kind", "partner_category", "registered_with", "contact_person", "masked_contact_phone"]
    list_filter = ["kind", "partner_category", "is_active"]
    search_fields = ["name", "contact_person", "address"]
    list_select_related = ["registered_with"]
    autocomplete_fields = ["registered_with", "party_organization"]
    inlines = [UnitReportInline]


@admin.register(UnitReport)
class UnitReportAdmin(MaskedPhoneMixin, ScopedModelAdmin):
    list_display = ["unit", "community", "reported_on", "liaison_name", "masked_liaison_phone", "status"]
    list_filter = ["status"]
    search_fields = ["unit__name", "liaison_name"]
    list_select_related = ["unit", "community"]
    autocomplete_fields = ["unit", "community"]


class CommitmentItemInline(ScopedInlineMixin, admin.TabularInline):
    model = CommitmentItem
    extra = 0
    show_change_link = True
    fields = ["title", "kind", "target", "measure", "due_on", "verified_at"]
    readonly_fields = ["verified_at"]


@admin.register(CoBuildingAgreement)
class CoBuildingAgreementAdmin(ScopedModelAdmin):
    list_display = ["title", "unit", "community", "starts_on", "ends_on", "status", "items_total", "share"]
    list_filter = ["status"]
    search_fields = ["title", "unit__name"]
    list_select_related = ["unit", "community"]
    autocomplete_fields = ["unit", "community"]
    readonly_fields = ["status"]
    inlines = [CommitmentItemInline]

    def get_queryset(self, request):
        return selectors.agreements_with_share(super().get_queryset(request))

    @admin.display(description=_("承诺事项"), ordering="items_total")
    def items_total(self, obj):
        return obj.items_total

    @admin.display(description=_("履约率"), ordering="fulfilled_share")
    def share(self, obj):
        return "—" if obj.fulfilled_share is None else f"{obj.fulfilled_share * 100:.2f}%"


class CommitmentProgressInline(ScopedInlineMixin, admin.TabularInline):
    model = CommitmentProgress
    extra = 0
    fields = ["reported_on", "amount", "note", "reported_by"]
    readonly_fields = ["reported_by"]


@admin.register(CommitmentItem)
class CommitmentItemAdmin(ScopedModelAdmin):
    list_display = ["title", "agreement", "kind", "target", "due_on", "verified_at"]
    list_filter = ["kind", ("verified_at", admin.EmptyFieldListFilter)]
    search_fields = ["title", "agreement__title", "agreement__unit__name"]
    list_select_related = ["agreement"]
    autocomplete_fields = ["agreement"]
    readonly_fields = ["verified_at", "verified_by", "source_need"]
    inlines = [CommitmentProgressInline]
    actions = ["verify_selected"]

    def save_formset(self, request, form, formset, change):
        # A progress row entered here is reported by whoever enters it.
        for entry in formset.save(commit=False):
            if isinstance(entry, CommitmentProgress) and not entry.reported_by_id:
                entry.reported_by = request.user
            entry.save()
        for obj in formset.deleted_objects:
            obj.delete()
        formset.save_m2m()

    @admin.action(description=_("核实完成"))
    def verify_selected(self, request, queryset):
        done = 0
        for item in queryset:
            try:
                services.commitment_verify(item=item, by=request.user)
                done += 1
            except (ValidationError, PermissionDenied) as exc:
                self.message_user(
                    request, f"{item}: {'; '.join(getattr(exc, 'messages', [str(exc)]))}", messages.WARNING
                )
        if done:
            self.message_user(request, _("已核实 %(count)d 项承诺。") % {"count": done}, messages.SUCCESS)


class MemberParticipationInline(ScopedInlineMixin, admin.TabularInline):
    model = MemberParticipation
    extra = 0
    fields = ["took_part_on", "activity", "hours"]


class MemberFeedbackInline(ScopedInlineMixin, admin.TabularInline):
    model = MemberFeedback
    extra = 0
    fields = ["year", "rating", "comment"]


@admin.register(MemberReport)
class MemberReportAdmin(ScopedModelAdmin):
    list_display = ["member", "community", "reported_on", "service_post", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["member__name", "service_post"]
    list_select_related = ["member", "community"]
    autocomplete_fields = ["member", "community"]
    inlines = [MemberParticipationInline, MemberFeedbackInline]


class AgendaItemInline(ScopedInlineMixin, admin.TabularInline):
    model = AgendaItem
    fk_name = "meeting"
    extra = 0
    show_change_link = True
    fields = ["title", "description", "status", "claimed_by", "due_on", "carried_over"]
    readonly_fields = ["status", "claimed_by", "due_on", "carried_over"]

    @admin.display(description=_("上次会议转入"), boolean=True)
    def carried_over(self, obj):
        return obj.is_carried_over


@admin.register(JointMeeting)
class JointMeetingAdmin(ScopedModelAdmin):
    list_display = ["__str__", "community", "held_at", "place"]
    search_fields = ["place", "minutes"]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]
    filter_horizontal = ["attending_units"]
    date_hierarchy = "held_at"
    inlines = [AgendaItemInline]

    def save_related(self, request, form, formsets, change):
        super().save_related(request, form, formsets, change)
        if not change:  # a new meeting takes over what earlier meetings left unclosed, as meeting_create does
            services.carry_over_unclosed_items(meeting=form.instance)


@admin.register(AgendaItem)
class AgendaItemAdmin(ScopedModelAdmin):
    list_display = ["title", "meeting", "status", "claimed_by", "due_on", "carried_over"]
    list_filter = ["status"]
    search_fields = ["title", "description"]
    list_select_related = ["meeting__community", "claimed_by"]
    autocomplete_fields = ["meeting"]
    readonly_fields = ["status", "claimed_by", "claimed_at", "due_on", "closed_at", "carried_from"]

    @admin.display(description=_("上次会议转入"), boolean=True)
    def carried_over(self, obj):
        return obj.is_carried_over


class WhistleCallInline(ScopedInlineMixin, admin.TabularInline):
    model = WhistleCall
    extra = 0
    fields = ["unit", "acknowledge_by", "respond_by", "status", "acknowledged_at", "responded_at", "response"]
    readonly_fields = fields
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False  # calls are made by whistle_blow, with their deadlines

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(Whistle)
class WhistleAdmin(ScopedModelAdmin):
    list_display = ["title", "community", "blown_at", "ticket_reference"]
    search_fields = ["title", "description", "ticket_reference"]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]
    date_hierarchy = "blown_at"
    inlines = [WhistleCallInline]


@admin.register(CommunityNeed)
class CommunityNeedAdmin(ScopedModelAdmin):
    list_display = ["title", "community", "kind", "status", "published_on"]
    list_filter = ["kind", "status"]
    search_fields = ["title", "description"]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]
    readonly_fields = ["status"]


@admin.register(UnitResource)
class UnitResourceAdmin(ScopedModelAdmin):
    list_display = ["title", "unit", "kind", "is_available"]
    list_filter = ["kind", "is_available"]
    search_fields = ["title", "description", "unit__name"]
    list_select_related = ["unit"]
    autocomplete_fields = ["unit"]


class DeputyMatterInline(ScopedInlineMixin, admin.TabularInline):
    model = DeputyMatter
    extra = 0
    fields = ["raised_by", "summary", "ticket_reference"]


@admin.register(DeputyDuty)
class DeputyDutyAdmin(ScopedModelAdmin):
    list_display = ["deputy_name", "deputy_kind", "community", "starts_at", "ends_at"]
    list_filter = ["deputy_kind"]
    search_fields = ["deputy_name"]
    list_select_related = ["community"]
    autocomplete_fields = ["community"]
    inlines = [DeputyMatterInline]


class EvaluationRatingInline(ScopedInlineMixin, admin.TabularInline):
    model = EvaluationRating
    extra = 0
    fields = ["unit", "rater_kind", "score", "comment"]
    autocomplete_fields = ["unit"]


@admin.register(EvaluationRound)
class EvaluationRoundAdmin(ScopedModelAdmin):
    list_display = ["organization", "year", "opens_on", "closes_on"]
    list_filter = ["year"]
    list_select_related = ["organization"]
    autocomplete_fields = ["organization"]
    inlines = [EvaluationRatingInline]
