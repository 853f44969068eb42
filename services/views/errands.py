"""The ticket page's proxy errand section (代办): what was recorded, and the form for the next step, if any."""

from django.forms import Form
from django.utils import timezone

from services.forms import ProxyErrandForm, ProxyErrandReturnForm
from services.models import ProxyErrand, Ticket
from services.tickets.errands import may_run_errands

RECORD, RETURNED = "record", "returned"  # the steps the section's one form posts


def errand_step(errand: ProxyErrand | None) -> str:
    """What the section offers next: record the errand, register its return, or nothing (it came back)."""
    if errand is None:
        return RECORD
    return "" if errand.returned else RETURNED


def errand_form(step: str, *, user, data=None) -> Form:
    if step == RECORD:
        return ProxyErrandForm(data, user=user, prefix="errand", initial={"handed_in_at": _now_minute()})
    return ProxyErrandReturnForm(data, prefix="errand", initial={"came_back_at": _now_minute()})


def _now_minute():
    return timezone.localtime().replace(second=0, microsecond=0)


def errand_context(request, ticket: Ticket, bound: Form | None = None) -> dict:
    """Only tickets whose item can be run as a proxy errand have the section; the form only for those who run them."""
    if not ticket.service_item.can_proxy:
        return {"errand_section": False}
    errand = ProxyErrand.objects.filter(ticket=ticket).select_related("runner", "created_by").first()
    step = errand_step(errand)
    offer = step and may_run_errands(request.user) and (step != RECORD or ticket.is_open)
    form = (bound or errand_form(step, user=request.user)) if offer else None
    return {"errand_section": True, "errand": errand, "errand_step": step, "errand_form": form}
