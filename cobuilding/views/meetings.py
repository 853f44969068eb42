"""Joint meetings a unit attends: their items, claimed on the spot (接招认领) and then reported on.

One template fragment (partials/agenda_item.html) shows an item with its forms; the meeting page lists them, and
an htmx form posts to the item's own URL, which answers with the refreshed fragment (the whole item page without
htmx, so the forms also work with scripts off).
"""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Count, Prefetch
from django.shortcuts import redirect
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, TemplateView

from accounts.models import Role
from cobuilding.actions import AGENDA_ITEMS
from cobuilding.forms import add_service_errors
from cobuilding.models import AgendaItem, AgendaItemProgress, JointMeeting
from cobuilding.services import item_claim, item_progress_add
from core.pages import ScopedObjectMixin, get_scoped_or_404
from core.scoping import CHANGE


def items_with_history(queryset):
    """Items with their meeting, claimer, carried-from origin and progress notes: a fixed number of queries."""
    progress = AgendaItemProgress.objects.select_related("reported_by").order_by("-reported_on", "-id")
    return queryset.with_related().prefetch_related(Prefetch("progress", queryset=progress))


def may_report_progress(user, item: AgendaItem) -> bool:
    if "progress" not in AGENDA_ITEMS.allowed(item.status) or not user.can_write:
        return False
    return user.role != Role.UNIT_LIAISON or item.claimed_by_id == user.unit_id


class MeetingListView(ScopedObjectMixin, ListView):
    """The meetings the liaison's unit attends (community staff: the meetings of their communities)."""

    model = JointMeeting
    template_name = "cobuilding/meeting_list.html"
    paginate_by = 30

    def scope_related(self, queryset):
        unit = self.request.GET.get("unit")
        if unit and unit.isdigit():
            queryset = queryset.filter(attending_units=unit)
        return (
            queryset.select_related("community")
            .annotate(item_count=Count("items", distinct=True))
            .order_by("-held_at", "id")
        )


class MeetingDetailView(ScopedObjectMixin, DetailView):
    model = JointMeeting
    template_name = "cobuilding/meeting_detail.html"

    def scope_related(self, queryset):
        return queryset.select_related("community").prefetch_related("attending_units")

    def get_context_data(self, **kwargs):
        user = self.request.user
        items = items_with_history(AgendaItem.objects.visible_to(user).filter(meeting=self.object))
        cards = [item_card(user, item) for item in items]
        return super().get_context_data(cards=cards, **kwargs)


def item_card(user, item: AgendaItem, *, claim_form=None, progress_form=None) -> dict:
    """What the agenda-item fragment needs: the item, and the forms this user may use on it now."""
    can_claim = user.can_write and "claim" in AGENDA_ITEMS.allowed(item.status)
    if claim_form is None and can_claim:
        claim_form = AGENDA_ITEMS["claim"].form(user=user)
    if progress_form is None and may_report_progress(user, item):
        progress_form = AGENDA_ITEMS["progress"].form()
    return {
        "item": item,
        "claim_form": claim_form,
        "progress_form": progress_form,
        "staff_claims": user.role != Role.UNIT_LIAISON,
    }


class AgendaItemView(LoginRequiredMixin, TemplateView):
    """One item: GET shows it; POST claims it for the liaison's unit (item_claim), with a due date."""

    template_name = "cobuilding/item_detail.html"
    fragment_template = "cobuilding/partials/agenda_item.html"

    @cached_property
    def item(self) -> AgendaItem:
        return get_scoped_or_404(items_with_history(AgendaItem.objects.all()), self.request.user, pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(item=self.item, card=kwargs.pop("card", None) or self.card(), **kwargs)

    def card(self, **forms) -> dict:
        card = item_card(self.request.user, self.item, **forms)
        if card["staff_claims"] and card["claim_form"] is not None:
            card["show_unit_choice"] = True
        return card

    def dispatch(self, request, *args, **kwargs):
        # Reading is for everyone in scope; writing only for roles that write (an official gets 403).
        if request.method == "POST" and request.user.is_authenticated and not request.user.can_write:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        form = AGENDA_ITEMS["claim"].form(request.POST, user=request.user)
        if form.is_valid():
            unit = form.cleaned_data.get("unit") or request.user.unit
            try:
                item_claim(item=self._for_change(), unit=unit, due_on=form.cleaned_data["due_on"], by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.done(_("已认领“%(item)s”。") % {"item": self.item})
        return self.answer(self.card(claim_form=form))

    def _for_change(self) -> AgendaItem:
        return get_scoped_or_404(AgendaItem, self.request.user, CHANGE, pk=self.kwargs["pk"])

    def done(self, message: str):
        if self.request.htmx:
            self.__dict__.pop("item", None)  # show the item as it is now
            return self.answer(self.card() | {"notice": message})
        messages.success(self.request, message)
        return redirect("unit:meeting", pk=self.item.meeting_id)

    def answer(self, card: dict):
        template = self.fragment_template if self.request.htmx else self.template_name
        context = {"card": card} if self.request.htmx else self.get_context_data(card=card)
        return self.response_class(self.request, template, context)


class ItemProgressView(AgendaItemView):
    """Report progress on a claimed item (item_progress_add); the first report moves it to 办理中."""

    http_method_names = ["get", "post"]

    def get(self, request, *args, **kwargs):
        return redirect("unit:item", pk=kwargs["pk"])

    def post(self, request, *args, **kwargs):
        form = AGENDA_ITEMS["progress"].form(request.POST)
        if form.is_valid():
            try:
                item_progress_add(item=self._for_change(), note=form.cleaned_data["note"], by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                return self.done(_("已记录“%(item)s”的进展。") % {"item": self.item})
        return self.answer(self.card(progress_form=form))
