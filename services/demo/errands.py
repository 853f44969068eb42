"""Demo proxy errands (代办): a few of the year's tickets for items that can be run for the resident were run by the
grid worker of the ticket's grid (or the community's staff member), each errand after the ticket was accepted and,
when the ticket was finished, back before it was resolved. Its two timeline events carry the same moments."""

from __future__ import annotations

import datetime

from core.demo import DemoContext
from services.demo.helpers import DemoPlan, keeping_dates
from services.models import ProxyErrand, Ticket, TicketEvent, TicketStatus
from services.tickets.errands import PROXY_ERRAND

ERRANDS_PER_SCALE = 24
PLACES = ["宁国市政务服务中心", "河沥溪街道便民服务中心", "宁国市不动产登记中心", "宁国市医保服务大厅"]
MATERIALS = ["身份证复印件、户口本", "居住证明申请表、身份证", "医保报销单据、病历", "残疾人证申请材料"]
HANDLED = (TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED, TicketStatus.CLOSED)


def build_errands(ctx: DemoContext, plan: DemoPlan) -> None:
    rng = ctx.for_builder("services.demo.errands").rng  # its own stream: the later steps' data stay as they were
    tickets = Ticket.objects.filter(service_item__can_proxy=True, status__in=HANDLED, accepted_at__isnull=False)
    chosen = list(tickets.order_by("created_at", "pk")[: ERRANDS_PER_SCALE * ctx.scale])
    errands, events = [], []
    for ticket in chosen:
        runner = plan.workers.get(ticket.grid_id) or plan.staff_by_community.get(ticket.community_id) or plan.admin
        handed_in_at, came_back_at = _moments(rng, ticket, plan.now)
        errands.append(ProxyErrand(
            ticket=ticket, runner=runner, created_by=runner, created_at=handed_in_at, handed_in=rng.choice(MATERIALS),
            handed_in_where=rng.choice(PLACES), handed_in_at=handed_in_at, came_back_at=came_back_at,
            outcome_note="已办结，材料送还居民" if came_back_at else "",
        ))  # fmt: skip
        events += _events(ticket, runner, handed_in_at, came_back_at)
    with keeping_dates(ProxyErrand._meta.get_field("created_at"), TicketEvent._meta.get_field("created_at")):
        ProxyErrand.objects.bulk_create(errands)
        TicketEvent.objects.bulk_create(events)
    ctx.say(f"services: {len(errands)} proxy errands, {sum(e.came_back_at is not None for e in errands)} came back")


def _moments(rng, ticket: Ticket, now: datetime.datetime):
    """Handed in after acceptance; back before the ticket was resolved (or still out, for a ticket in progress)."""
    done = ticket.resolved_at or ticket.closed_at
    limit = min(done, now) if done else now
    span = max((limit - ticket.accepted_at).total_seconds(), 2)
    handed_in_at = ticket.accepted_at + datetime.timedelta(seconds=rng.uniform(0.1, 0.5) * span)
    if done is None:
        return handed_in_at, None
    return handed_in_at, handed_in_at + (limit - handed_in_at) * rng.uniform(0.3, 0.9)


def _events(ticket: Ticket, runner, handed_in_at, came_back_at) -> list[TicketEvent]:
    def event(step: str, at: datetime.datetime) -> TicketEvent:
        return TicketEvent(ticket=ticket, kind=PROXY_ERRAND, actor=runner, created_at=at, data={"step": step})

    return [event("handed_in", handed_in_at)] + ([event("came_back", came_back_at)] if came_back_at else [])
