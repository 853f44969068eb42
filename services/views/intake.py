"""Filing a ticket: the hotline intake (find the resident while they talk), the grid worker's report from the phone,
and a visit's follow-up turned into a ticket in one step. Every save goes through services.tickets.services.
"""

from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import FormView, ListView

from accounts.models import User
from core.pages import ScopedObjectMixin, WriterRequiredMixin, get_scoped_or_404
from core.scoping import CHANGE
from grids.models import Visit
from residents.models import Resident
from services.forms import GridReportForm, TicketIntakeForm, VisitTicketForm, model_errors_to_form
from services.models import Channel, Ticket
from services.tickets.selectors import possible_duplicates
from services.tickets.services import ticket_add_call, ticket_create, ticket_create_and_dispatch, ticket_from_visit

LOOKUP_LIMIT = 10


class TicketFormView(WriterRequiredMixin, FormView):
    """A form whose valid input becomes a ticket through a service; its refusals land beside the fields."""

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"user": self.request.user}

    def form_valid(self, form):
        try:
            self.ticket = self.create_ticket(form)
        except ValidationError as error:
            model_errors_to_form(form, error)
            return self.form_invalid(form)
        except PermissionDenied:
            form.add_error(None, _("该记录不在您的管辖范围内。"))
            return self.form_invalid(form)
        messages.success(self.request, _("已登记工单 %(ref)s。") % {"ref": self.ticket.reference})
        return redirect("tickets:detail", pk=self.ticket.pk)


class TicketIntakeView(TicketFormView):
    """Hotline / one-window intake, fast enough for a call: search, pick, describe, save — or accept and dispatch
    in one step (受理并派单). Before filing, open tickets of the same resident or household, or of the same item at
    the same building, are shown: one tap adds the call to that ticket's timeline instead of filing it again."""

    form_class = TicketIntakeForm
    template_name = "services/ticket_intake.html"

    def get_form(self, form_class=None):
        form = super().get_form(form_class)
        if not form.is_bound:
            form.suggest_assignees()
        return form

    def get(self, request, *args, **kwargs):
        if request.htmx and request.GET.get("suggest"):
            return self.suggestions()
        return super().get(request, *args, **kwargs)

    def suggestions(self):
        """The fragment htmx swaps in when a resident, item or community is picked (before any submit): the assignee
        choices ordered for that place, and the possible duplicates (out of band). Without JS the page does this on
        submit, as before."""
        form = self.form_class(self.request.GET, user=self.request.user)
        form.is_valid()  # partial input: only what has been picked so far is read, other fields' errors are not shown
        form.suggest_assignees()
        picked = form.cleaned_data
        duplicates = possible_duplicates(
            fetched_by=self.request.user, service_item=picked.get("service_item"), resident=picked.get("reporter")
        )
        context = {"form": form, "duplicates": list(duplicates)}
        return render(self.request, "services/partials/intake_suggestions.html", context)

    def post(self, request, *args, **kwargs):
        if request.POST.get("add_call_to"):
            return self.add_call(request.POST["add_call_to"])
        return super().post(request, *args, **kwargs)

    def form_valid(self, form):
        form.suggest_assignees()
        duplicates = [] if self.request.POST.get("new_anyway") else list(self.duplicates_of(form))
        if duplicates:
            return self.render_to_response(self.get_context_data(form=form, duplicates=duplicates))
        if self.dispatching and form.cleaned_data.get("assignee_user") is None:
            form.add_error("assignee_user", _("受理并派单须选择承办人。"))
            return self.form_invalid(form)
        return super().form_valid(form)

    def form_invalid(self, form):
        if hasattr(form, "cleaned_data"):
            form.suggest_assignees()
        return super().form_invalid(form)

    @property
    def dispatching(self) -> bool:
        return self.request.POST.get("do") == "dispatch"

    def duplicates_of(self, form):
        fields = form.ticket_fields()
        return possible_duplicates(
            fetched_by=self.request.user, service_item=fields["service_item"], resident=fields.get("reporter"),
            household=fields.get("household"), building=fields.get("building"),
        )  # fmt: skip

    def create_ticket(self, form):
        fields = form.ticket_fields()
        photos = form.cleaned_data["photos"]
        if self.dispatching:
            assignee = form.cleaned_data["assignee_user"]
            return ticket_create_and_dispatch(by=self.request.user, assignee_user=assignee, photos=photos, **fields)
        return ticket_create(by=self.request.user, photos=photos, **fields)

    def add_call(self, pk: str):
        """ "这是同一件事": the call goes on the existing ticket's timeline, with what the caller said."""
        if not pk.isdigit():
            return redirect("tickets:new")
        ticket = get_scoped_or_404(Ticket.objects.all(), self.request.user, CHANGE, pk=int(pk))
        note, channel = self.request.POST.get("description", ""), self.request.POST.get("channel", "")[:20]
        try:
            by = cast("User", self.request.user)  # a login-required page: the user is signed in
            ticket_add_call(ticket=ticket, by=by, note=note, channel=channel)
        except (ValidationError, PermissionDenied) as error:
            messages.error(self.request, " ".join(getattr(error, "messages", [str(error)])))
        else:
            messages.success(self.request, _("已将来电追加到工单 %(ref)s 的记录。") % {"ref": ticket.reference})
        return redirect("tickets:detail", pk=ticket.pk)


class ResidentLookupView(WriterRequiredMixin, ScopedObjectMixin, ListView):
    """The intake's live search (htmx fragment): residents in scope by phone, name or pinyin initials, masked."""

    model = Resident
    template_name = "services/partials/resident_lookup.html"

    @cached_property
    def term(self) -> str:
        return self.request.GET.get("q", "").strip()[:50]

    def scope_related(self, queryset):
        if len(self.term) < 2:
            return queryset.none()
        found = queryset.current().search(self.term, by=self.request.user)
        return found.with_related().order_by("name", "pk")[:LOOKUP_LIMIT]

    def get_context_data(self, **kwargs):
        return super().get_context_data(q=self.term, limit=LOOKUP_LIMIT, **kwargs)


class GridReportView(TicketFormView):
    """A grid worker reports what they found, from the phone, with a photo; their grid is preselected."""

    form_class = GridReportForm
    template_name = "services/ticket_report.html"

    def create_ticket(self, form):
        data = form.cleaned_data
        grid = data["grid"]
        return ticket_create(
            by=self.request.user, channel=Channel.GRID_REPORT, service_item=data["service_item"],
            community=grid.community, grid=grid, description=data["description"], address=data["address"],
            priority=data["priority"], photos=data["photos"],
        )  # fmt: skip


class VisitTicketView(TicketFormView):
    """ "Turn into ticket" on a visit marked follow-up needed: pick the item, keep or edit the visit's notes."""

    form_class = VisitTicketForm
    template_name = "services/visit_ticket.html"

    @cached_property
    def visit(self) -> Visit:
        visits = Visit.objects.select_related("household__building__grid__community").filter(follow_up_needed=True)
        return get_scoped_or_404(visits, self.request.user, CHANGE, pk=self.kwargs["visit_pk"])

    def dispatch(self, request, *args, **kwargs):
        # A visit becomes at most one ticket: a second tap opens the one already filed.
        existing = Ticket.objects.filter(source_visit_id=self.kwargs["visit_pk"]).first()
        if existing is not None and request.user.is_authenticated:
            get_scoped_or_404(Ticket.objects.all(), request.user, pk=existing.pk)
            messages.info(request, _("该走访已转为工单 %(ref)s。") % {"ref": existing.reference})
            return redirect("tickets:detail", pk=existing.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        kwargs = super(TicketFormView, self).get_form_kwargs()
        kwargs.setdefault("initial", {})["description"] = self.visit.notes
        return kwargs

    def get_context_data(self, **kwargs):
        return super().get_context_data(visit=self.visit, **kwargs)

    def create_ticket(self, form):
        data = form.cleaned_data
        return ticket_from_visit(
            visit=self.visit, by=self.request.user, service_item=data["service_item"],
            description=data["description"],
        )  # fmt: skip
