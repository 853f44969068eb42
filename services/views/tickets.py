"""The ticket queue, the ticket page (header, timeline, only the allowed next actions) and the action posts."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy
from django.views import View
from django.views.generic import DetailView, ListView

from core.pages import ScopedObjectMixin, WriterRequiredMixin, get_scoped_or_404, paginate
from core.scoping import CHANGE
from services.filtersets import FINISHED_STATUSES, QUEUE_DEFAULT_STATUSES, TicketFilterSet, queue_page_data
from services.forms import model_errors_to_form
from services.models import OPEN_STATUSES, ProxyErrand, Ticket, TicketPhoto, TicketStatus
from services.tickets.actions import TICKETS, actions_for
from services.tickets.errands import proxy_errand_record, proxy_errand_returned
from services.tickets.services import ticket_transition
from services.views.errands import RECORD, errand_context, errand_form, errand_step

QUEUE_PAGE_SIZE = 50


class TicketQueueView(ScopedObjectMixin, ListView):
    """Every ticket in the user's scope (and those assigned to them), filtered; a fixed number of queries."""

    model = Ticket
    template_name = "services/ticket_queue.html"
    page_size = QUEUE_PAGE_SIZE

    def scope_related(self, queryset):
        # What every row shows is joined; who it is assigned to (a person or a unit, on some rows) is read after
        # the page by id, as select_related would read it: each join past a handful multiplies PostgreSQL's
        # planning time (eight joins cost more to plan than the page costs to read, issue 11).
        queryset = queryset.select_related("service_item", "community", "grid", "reporter")
        queryset = queryset.prefetch_related("assignee_user", "assignee_unit")
        return self.apply_filters(queryset).order_by("-created_at", "-id")

    @cached_property
    def filterset(self) -> TicketFilterSet:
        """The API's filters; the page opens on open work (see queue_page_data). A bad value is ignored."""
        return TicketFilterSet(queue_page_data(self.request.GET), request=self.request)

    def apply_filters(self, queryset):
        filterset = self.filterset
        filterset.is_valid()
        return filterset.filter_queryset(queryset)

    def get_context_data(self, **kwargs):
        page = paginate(self.request, self.object_list, self.page_size)
        query = self.request.GET.copy()
        query.pop("page", None)
        return super().get_context_data(
            page=page, tickets=page.object_list, filter_form=self.filterset.form, query=query.urlencode(),
            status_views=_status_views(self.request.GET), now=timezone.now(), **kwargs,
        )  # fmt: skip


def _status_views(query) -> list[tuple[str, str, bool]]:
    """The queue's quick switches between open work (the default), finished tickets and all: label, query, current."""
    wanted = sorted(value for value in query.getlist("status") if value) if "status" in query else None
    views = [
        (_("未办结"), "", wanted is None or wanted == sorted(QUEUE_DEFAULT_STATUSES)),
        (_("已关闭/不予受理"), "?" + "&".join(f"status={s}" for s in FINISHED_STATUSES), wanted == FINISHED_STATUSES),
        (_("全部状态"), "?status=", wanted == []),
    ]
    return views


class AssignedTicketsView(TicketQueueView):
    """My assigned tickets: what a grid worker (or anyone) has been handed and not yet finished."""

    template_name = "services/ticket_assigned.html"

    def apply_filters(self, queryset):
        return queryset.filter(assignee_user=self.request.user, status__in=OPEN_STATUSES)


EVENT_LABELS = {
    **{row.name: row.label for row in TICKETS},
    "reported": _lazy("登记"),
    "rated": _lazy("群众评价"),
    "rated_dissatisfied": _lazy("群众不满意，重启复核"),
    "closed_unrated": _lazy("逾期未评价，自动关闭"),
    "escalated": _lazy("超期升级"),
    "yellow_card": _lazy("黄牌预警"),
    "red_card": _lazy("红牌督办"),
    "flagged_for_district": _lazy("提请区级督办"),
    "order_provider": _lazy("点单派给服务方"),
    "repeat_call": _lazy("群众再次来电"),
    "proxy_errand": _lazy("代办记录"),
}


def _timeline(ticket: Ticket) -> list:
    events = list(
        ticket.events.select_related("actor").prefetch_related(
            Prefetch("photos", queryset=TicketPhoto.objects.order_by("pk"))
        )
    )
    statuses = dict(TicketStatus.choices)
    for event in events:
        event.kind_label = EVENT_LABELS.get(event.kind, event.kind)
        event.status_label = statuses.get(event.to_status, "")
    return events


class TicketDetailView(ScopedObjectMixin, DetailView):
    model = Ticket
    template_name = "services/ticket_detail.html"
    context_object_name = "ticket"

    def scope_related(self, queryset):
        return queryset.with_related().select_related("reporter", "building", "household", "created_by")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**ticket_page_context(self.request, self.object), **kwargs)


def ticket_page_context(request, ticket: Ticket, bound=None, errand_bound=None) -> dict:
    """The header facts, the timeline, one form per allowed next action (`bound` re-shows a refused one) and the
    proxy errand section (`errand_bound` re-shows its refused form)."""
    forms = []
    if request.user.can_write:
        for action in actions_for(ticket):
            if bound is not None and bound.prefix == action:
                form = bound
            else:
                form = TICKETS[action].form(ticket=ticket, user=request.user, prefix=action)
            forms.append((action, TICKETS[action].label, form))
    rating_url = request.build_absolute_uri(reverse("ticket-rate", args=[ticket.rating_token]))
    return {
        "ticket": ticket,
        "events": _timeline(ticket),
        "action_forms": forms,
        "open_action": bound.prefix if bound is not None else "",
        "rating_url": rating_url if ticket.status == "resolved" and ticket.rated_at is None else "",
        "now": timezone.now(),
        **errand_context(request, ticket, errand_bound),
    }


class TicketActionView(WriterRequiredMixin, View):
    """POST one action. Illegal for the current state: a message and nothing changed; bad input: the form again."""

    http_method_names = ["post"]

    def post(self, request, pk: int, action: str):
        if action not in TICKETS or TICKETS[action].by_system:
            raise Http404
        tickets = Ticket.objects.with_related().select_related("reporter", "building", "household", "created_by")
        ticket = get_scoped_or_404(tickets, request.user, CHANGE, pk=pk)
        try:
            TICKETS.target_of(action, ticket.status)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
            return redirect("tickets:detail", pk=ticket.pk)
        form = TICKETS[action].form(request.POST, request.FILES, ticket=ticket, user=request.user, prefix=action)
        if form.is_valid():
            try:
                ticket_transition(
                    ticket=ticket, action=action, by=request.user, note=form.cleaned_data.get("note", ""),
                    photos=form.cleaned_data.get("photos", ()), **form.params(),
                )  # fmt: skip
            except ValidationError as error:
                if getattr(error, "code", None) in ("illegal_transition", "unknown_action"):
                    messages.error(request, " ".join(error.messages))
                    return redirect("tickets:detail", pk=ticket.pk)
                model_errors_to_form(form, error)
            else:
                messages.success(request, _done_message(action))
                return redirect("tickets:detail", pk=ticket.pk)
        context = ticket_page_context(request, ticket, bound=form)
        return render(request, TicketDetailView.template_name, context | {"object": ticket})


def _done_message(action: str) -> str:
    return _("已%(action)s。") % {"action": TICKETS[action].label}


class ProxyErrandView(WriterRequiredMixin, View):
    """POST the proxy errand section's form: record the errand, or register that it came back. A refusal shows the
    ticket page again with the form and its errors; a ticket out of reach is a 404."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        tickets = Ticket.objects.with_related().select_related("reporter", "building", "household", "created_by")
        ticket = get_scoped_or_404(tickets, request.user, CHANGE, pk=pk)
        errand = ProxyErrand.objects.filter(ticket=ticket).first()
        step = errand_step(errand)
        if not step or not ticket.service_item.can_proxy:
            messages.error(request, _("该工单当前不能登记代办。"))
            return redirect("tickets:detail", pk=ticket.pk)
        form = errand_form(step, user=request.user, data=request.POST)
        if form.is_valid():
            try:
                self.save(step, ticket=ticket, errand=errand, data=form.cleaned_data)
            except ValidationError as error:
                model_errors_to_form(form, error)
            except PermissionDenied as error:
                messages.error(request, str(error))
                return redirect("tickets:detail", pk=ticket.pk)
            else:
                messages.success(request, _("已登记代办。") if step == RECORD else _("已登记代办办回。"))
                return redirect("tickets:detail", pk=ticket.pk)
        context = ticket_page_context(request, ticket, errand_bound=form)
        return render(request, TicketDetailView.template_name, context | {"object": ticket})

    def save(self, step: str, *, ticket: Ticket, errand, data: dict) -> None:
        if step == RECORD:
            proxy_errand_record(
                ticket=ticket, by=self.request.user, runner=data["runner"], handed_in=data["handed_in"],
                handed_in_where=data["handed_in_where"], handed_in_at=data["handed_in_at"], note=data["note"],
            )  # fmt: skip
        else:
            by, came_back_at = self.request.user, data["came_back_at"]
            proxy_errand_returned(errand=errand, by=by, came_back_at=came_back_at, note=data["note"])
