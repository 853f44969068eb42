"""Proxy errand writes (代办): record the errand on a ticket whose item can be run for the resident, then its return.

Each write appends a "proxy_errand" event to the ticket's timeline (and so the webhook outbox), in one transaction.
Who may: staff and grid workers who may change the ticket; the runner is a staff member or grid worker the
recorder may see (the same people a ticket may be dispatched to).
"""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import CHANGE, ensure_in_scope
from services.models import ProxyErrand, Ticket, TicketEvent
from services.tickets.selectors import ERRAND_ROLES, errand_runners
from services.tickets.services import record_event

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser

    from accounts.models import User

PROXY_ERRAND = "proxy_errand"  # the timeline event's kind (labelled 代办记录 on the ticket page)


def may_run_errands(user: User | AnonymousUser) -> bool:
    """Staff and grid workers record proxy errands; officials read, units and integrators do not run them."""
    return bool(user.is_authenticated and user.is_active and (user.is_superuser or user.role in ERRAND_ROLES))


def _check_recorder(*, ticket: Ticket, by: User) -> None:
    if not may_run_errands(by):
        raise PermissionDenied(_("只有社区工作人员和网格员可以记录代办。"))
    ensure_in_scope(ticket, by, CHANGE)


def _check_runner(*, runner: User | None, by: User) -> None:
    if runner is None or not errand_runners(by).filter(pk=runner.pk).exists():
        raise ValidationError({"runner": _("请选择您管辖范围内的工作人员或网格员。")}, code="runner_scope")


@transaction.atomic
def proxy_errand_record(
    *, ticket: Ticket, by: User, runner: User, handed_in: str, handed_in_where: str, handed_in_at: datetime.datetime,
    note: str = "",
) -> ProxyErrand:  # fmt: skip
    """Record that `runner` took the resident's materials (`handed_in`) to `handed_in_where` at `handed_in_at`."""
    ticket = Ticket.objects.select_for_update().select_related("service_item").get(pk=ticket.pk)
    _check_recorder(ticket=ticket, by=by)
    if ProxyErrand.objects.filter(ticket=ticket).exists():
        raise ValidationError(_("该工单已有代办记录。"), code="errand_exists")
    if not ticket.is_open:
        raise ValidationError(_("工单已办结或关闭，不能再登记代办。"), code="ticket_finished")
    _check_runner(runner=runner, by=by)
    errand = ProxyErrand(
        ticket=ticket, runner=runner, handed_in=handed_in.strip(), handed_in_where=handed_in_where.strip(),
        handed_in_at=handed_in_at, outcome_note=note.strip(), created_by=by,
    )  # fmt: skip
    errand.full_clean()
    errand.save()
    _event(errand, by=by, step="handed_in", note=_("%(runner)s 将材料递交至 %(where)s") % {
        "runner": runner.get_full_name() or runner.username, "where": errand.handed_in_where,
    })  # fmt: skip
    return errand


@transaction.atomic
def proxy_errand_returned(
    *, errand: ProxyErrand, by: User, came_back_at: datetime.datetime | None = None, note: str = ""
) -> ProxyErrand:
    """The result came back (办回): when, and what came of it; once per errand."""
    errand = ProxyErrand.objects.select_for_update().select_related("ticket__service_item").get(pk=errand.pk)
    _check_recorder(ticket=errand.ticket, by=by)
    if errand.returned:
        raise ValidationError(_("该代办已登记办回。"), code="errand_returned")
    errand.came_back_at = came_back_at or timezone.now()
    errand.outcome_note = note.strip() or errand.outcome_note
    errand.full_clean()
    errand.save(update_fields=["came_back_at", "outcome_note"])
    _event(errand, by=by, step="came_back", note=errand.outcome_note)
    return errand


def _event(errand: ProxyErrand, *, by: User, step: str, note: str) -> TicketEvent:
    data = {
        "step": step, "errand": errand.pk, "runner": errand.runner_id,
        "handed_in_at": errand.handed_in_at.isoformat(),
        "came_back_at": errand.came_back_at.isoformat() if errand.came_back_at else None,
    }  # fmt: skip
    return record_event(ticket=errand.ticket, kind=PROXY_ERRAND, by=by, note=note, data=data)
