"""The path a demo ticket walks to its status: accepted, dispatched to someone, worked on, resolved, closed (rated
or not) or rejected or returned, with plausible timing."""

from __future__ import annotations

import datetime

from django.conf import settings

from services.demo.helpers import DAY, HOUR
from services.models import ProviderKind, TicketEvent, TicketStatus

PATH = [TicketStatus.ACCEPTED, TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED,
        TicketStatus.CLOSED]  # fmt: skip
ACTION_TO = {TicketStatus.ACCEPTED: "accept", TicketStatus.DISPATCHED: "dispatch", TicketStatus.IN_PROGRESS: "start",
             TicketStatus.RESOLVED: "resolve", TicketStatus.CLOSED: "close"}  # fmt: skip


def walk_ticket(ctx, plan, ticket, events, status, staff, worker, menu_item, departments) -> None:
    """Append the events that bring a new ticket to `status` along the usual path, with plausible timing."""
    rng, now = ctx.rng, plan.now
    moment = ticket.created_at
    if status == TicketStatus.REPORTED:
        return
    if status == TicketStatus.REJECTED:
        moment = min(moment + rng.randint(10, 240) * datetime.timedelta(minutes=1), now)
        events.append(TicketEvent(kind="reject", from_status=TicketStatus.REPORTED, to_status=status, actor=staff,
                                  note="不属于本社区职责，已告知群众向相关部门反映", created_at=moment,
                                  data={"referral": rng.choice(departments)}))  # fmt: skip
        ticket.status = status
        return
    target = PATH.index(status) if status in PATH else PATH.index(TicketStatus.DISPATCHED)
    late = rng.random() < 0.08
    span = (ticket.resolution_due_at - ticket.created_at) * (rng.uniform(1.1, 2.0) if late else rng.uniform(0.2, 0.9))
    steps = [ticket.created_at + span * share for share in (0.05, 0.15, 0.3, 1.0)]
    previous = TicketStatus.REPORTED
    for index, state in enumerate(PATH[: target + 1]):
        moment = ticket.resolved_at + rng.randint(1, 72) * HOUR if state == TicketStatus.CLOSED else steps[index]
        moment = min(moment, now - datetime.timedelta(minutes=5 * (5 - index)))
        actor = staff if state in (TicketStatus.ACCEPTED, TicketStatus.DISPATCHED) else None
        data = {}
        if state == TicketStatus.ACCEPTED:
            ticket.owner, ticket.accepted_at = staff, moment
        elif state == TicketStatus.DISPATCHED:
            _assign(ctx, plan, ticket, worker, menu_item, departments)
            unit = ticket.assignee_unit
            data = {"assignee_user": ticket.assignee_user_id, "assignee_unit": unit.pk if unit else None,
                    "assignee_department": ticket.assignee_department}  # fmt: skip
        elif state in (TicketStatus.IN_PROGRESS, TicketStatus.RESOLVED):
            actor = ticket.assignee_user or staff
            if state == TicketStatus.RESOLVED:
                ticket.resolved_at = moment
                ticket.rating_token_expires_at = moment + settings.TICKET_RATING_DAYS * DAY
        if state == TicketStatus.CLOSED:
            _close(ctx, ticket, events, moment, now)
        else:
            events.append(TicketEvent(kind=ACTION_TO[state], from_status=previous, to_status=state, actor=actor,
                                      created_at=moment, data=data))  # fmt: skip
        previous = state
    ticket.status = status
    if status == TicketStatus.RETURNED:
        moment = min(moment + 2 * HOUR, now)
        events.append(TicketEvent(kind="return", from_status=previous, to_status=status, actor=ticket.assignee_user,
                                  note="不属于网格处置范围，请社区协调相关部门", created_at=moment))  # fmt: skip


def _assign(ctx, plan, ticket, worker, menu_item, departments) -> None:
    rng = ctx.rng
    if menu_item is not None:
        if menu_item.provider_kind == ProviderKind.UNIT:
            ticket.assignee_unit = menu_item.provider_unit
        elif menu_item.provider_kind == ProviderKind.MEMBER:
            member = menu_item.provider_member
            ticket.assignee_department = f"{member.organization.name} {member.name}"[:100]
        else:
            ticket.assignee_department = menu_item.provider_org.name[:100]
        return
    units = plan.units_by_community[ticket.community_id]
    roll = rng.random()
    if worker is not None and roll < 0.7:
        ticket.assignee_user = worker
    elif units and roll < 0.8:
        ticket.assignee_unit = rng.choice(units)
    else:
        ticket.assignee_department = rng.choice(departments)


def _close(ctx, ticket, events, moment, now) -> None:
    rng = ctx.rng
    if rng.random() < 0.8 or ticket.rating_token_expires_at > now:  # unrated: only once the link has lapsed
        ticket.rating = rng.choices([5, 4, 3], [66, 26, 8])[0]
        ticket.rated_at = ticket.closed_at = moment
        if ticket.rating < 4 and rng.random() < 0.5:
            ticket.rating_comment = rng.choice(["处理速度有点慢", "问题基本解决", "希望下次及时回复"])
        else:
            ticket.rating_comment = rng.choice(["", "", "很满意，谢谢网格员", "办事效率高", "服务态度好"])
        events.append(TicketEvent(kind="rated", from_status=TicketStatus.RESOLVED, to_status=TicketStatus.CLOSED,
                                  note=ticket.rating_comment, created_at=moment,
                                  data={"rating": ticket.rating}))  # fmt: skip
    else:
        moment = ticket.rating_token_expires_at
        ticket.closed_at, ticket.closed_unrated = moment, True
        events.append(TicketEvent(kind="closed_unrated", from_status=TicketStatus.RESOLVED,
                                  to_status=TicketStatus.CLOSED, created_at=moment))  # fmt: skip
