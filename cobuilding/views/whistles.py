"""Whistles calling the unit (社区吹哨、单位报到): acknowledge, then respond, each before its deadline."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Prefetch
from django.shortcuts import redirect
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.generic import DetailView, ListView, View

from cobuilding.actions import WHISTLE_CALLS
from cobuilding.forms import add_service_errors
from cobuilding.models import CallStatus, Whistle, WhistleCall
from cobuilding.services import call_acknowledge, call_respond
from core.pages import ScopedObjectMixin, WriterRequiredMixin, get_scoped_or_404
from core.scoping import CHANGE

OPEN_STATUSES = (CallStatus.PENDING, CallStatus.ACKNOWLEDGED, CallStatus.OVERDUE)


def mark_lateness(calls, now=None) -> list[WhistleCall]:
    """Flag each call whose next deadline has passed, so the page can highlight it before the sweep marks it."""
    now = now or timezone.now()
    calls = list(calls)
    for call in calls:
        if call.status == CallStatus.PENDING:
            call.next_deadline = call.acknowledge_by
        elif call.status in (CallStatus.ACKNOWLEDGED, CallStatus.OVERDUE):
            call.next_deadline = call.respond_by
        else:
            call.next_deadline = None
        call.is_late = call.status == CallStatus.OVERDUE or (
            call.next_deadline is not None and call.next_deadline < now
        )
    return calls


class WhistleCallListView(ScopedObjectMixin, ListView):
    """The calls on the liaison's unit, open ones first, nearest deadline first."""

    model = WhistleCall
    template_name = "cobuilding/whistle_list.html"
    paginate_by = 30

    def scope_related(self, queryset):
        unit = self.request.GET.get("unit")
        if unit and unit.isdigit():
            queryset = queryset.filter(unit_id=unit)
        return queryset.select_related("whistle__community", "unit").order_by("respond_by", "id")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        calls = mark_lateness(context["object_list"])
        return context | {
            "open_calls": [c for c in calls if c.status in OPEN_STATUSES],
            "answered_calls": [c for c in calls if c.status not in OPEN_STATUSES],
        }


class WhistleDetailView(ScopedObjectMixin, DetailView):
    """A whistle (the link in the 社区吹哨 notification) with the calls the viewer may see and answer."""

    model = Whistle
    template_name = "cobuilding/whistle_detail.html"

    def scope_related(self, queryset):
        calls = WhistleCall.objects.visible_to(self.request.user).select_related("unit")
        return queryset.select_related("community").prefetch_related(Prefetch("calls", queryset=calls))

    def get_context_data(self, **kwargs):
        forms = kwargs.pop("forms", {})
        calls = mark_lateness(self.object.calls.all())
        for call in calls:
            call.allowed_actions = WHISTLE_CALLS.allowed(call.status)  # the page offers only the table's next moves
            call.respond_form = forms.get(call.pk) or WHISTLE_CALLS["respond"].form()
        return super().get_context_data(calls=calls, **kwargs)


class CallAcknowledgeView(WriterRequiredMixin, View):
    """报到: the unit has seen the call (call_acknowledge); the time is recorded."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        call = get_scoped_or_404(WhistleCall, request.user, CHANGE, pk=pk)
        try:
            call_acknowledge(call=call, by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, _("已报到，请在答复期限前提交答复。"))
        return redirect("unit:whistle", pk=call.whistle_id)


class CallRespondView(WriterRequiredMixin, View):
    """The unit's answer (call_respond); an empty answer comes back with the form and its message."""

    http_method_names = ["post"]

    def post(self, request, pk: int):
        call = get_scoped_or_404(WhistleCall, request.user, CHANGE, pk=pk)
        form = WHISTLE_CALLS["respond"].form(request.POST)
        if form.is_valid():
            try:
                call_respond(call=call, response=form.cleaned_data["response"], by=request.user)
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, _("已提交答复。"))
                return redirect("unit:whistle", pk=call.whistle_id)
        view = WhistleDetailView()
        view.setup(request, pk=call.whistle_id)
        view.object = view.get_object()
        return view.render_to_response(view.get_context_data(object=view.object, forms={call.pk: form}))
