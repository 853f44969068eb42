"""A year of demo tickets, bulk-inserted with references in ticket_create's format, and the overdue and escalated
ones the SLA sweep finds."""

from __future__ import annotations

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Min
from django.utils import timezone

from core.demo import DemoContext, bulk_create
from core.validators import FEMALE, MALE
from services.demo.helpers import DAY, DemoPlan, frozen_clock, keeping_dates
from services.demo.ticket_lifecycle import walk_ticket
from services.models import (
    Card,
    Channel,
    ServiceCategory,
    Ticket,
    TicketCounter,
    TicketEvent,
    TicketStatus,
)
from services.models.tickets import OPEN_STATUSES
from services.tickets.calendar import add_working_hours
from services.tickets.escalation import escalate_overdue_tickets
from services.tickets.routing import initial_handling
from services.tickets.services import set_level_deadline

TICKETS_PER_SCALE = 3000
STUCK_TICKETS = 10  # per scale: left open for weeks, so the sweep has climbed them up the tree
STUCK_AGE = (10, 30)  # days
SWEEP_EVERY = datetime.timedelta(minutes=5)  # the beat schedule's cadence for the SLA sweep
DEFAULT_ESCALATION_HOURS = {"grid": 8, "community": 16, "street": 24, "district": 40}
DESCRIPTIONS = {
    ServiceCategory.ENVIRONMENT: [
        "小区垃圾桶满溢无人清运",
        "楼道堆放杂物影响通行",
        "绿化带杂草丛生",
        "夜间施工噪声扰民",
    ],
    ServiceCategory.PROPERTY: ["楼道灯坏了", "小区路灯不亮", "单元门禁损坏", "二次供水水压不足", "停车位被长期占用"],
    ServiceCategory.SAFETY: ["楼道电动车飞线充电", "消防通道被占用", "小区监控损坏"],
    ServiceCategory.DISPUTES: ["邻居装修噪声纠纷", "楼上漏水到楼下", "宠物扰民"],
}
CHANNEL_WEIGHTS = [
    (Channel.HOTLINE, 34), (Channel.ONE_WINDOW, 25), (Channel.GRID_REPORT, 20), (Channel.VISIT_FOLLOW_UP, 5),
    (Channel.WEB, 7), (Channel.POINT_ORDER, 7), (Channel.API, 2),
]  # fmt: skip
OPEN = frozenset({TicketStatus.REPORTED, TicketStatus.ACCEPTED, TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS,
                  TicketStatus.RETURNED})  # fmt: skip


@dataclass
class _Batch:
    tickets: list[Ticket] = field(default_factory=list)
    events: list[list[TicketEvent]] = field(default_factory=list)
    counters: dict[datetime.date, int] = field(default_factory=dict)


def _reference(batch: _Batch, moment: datetime.datetime) -> str:
    day = timezone.localdate(moment)
    if day not in batch.counters:
        batch.counters[day] = TicketCounter.objects.filter(day=day).values_list("last", flat=True).first() or 0
    batch.counters[day] += 1
    return f"{settings.TICKET_REFERENCE_PREFIX}-{day:%Y%m%d}-{batch.counters[day]:04d}"


def _status_for(rng, age: datetime.timedelta) -> str:
    if age > 14 * DAY:
        return rng.choices([TicketStatus.CLOSED, TicketStatus.REJECTED], [95, 5])[0]
    if age > 7 * DAY:  # a few stragglers still open: the overdue and escalated ones are picked among them
        return rng.choices([TicketStatus.CLOSED, TicketStatus.IN_PROGRESS, TicketStatus.REJECTED], [72, 23, 5])[0]
    states = [TicketStatus.REPORTED, TicketStatus.ACCEPTED, TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS,
              TicketStatus.RESOLVED, TicketStatus.CLOSED, TicketStatus.RETURNED]  # fmt: skip
    return rng.choices(states, [10, 10, 18, 20, 27, 12, 3])[0]


def build_tickets(ctx: DemoContext, plan: DemoPlan) -> None:
    rng, batch = ctx.rng, _Batch()
    total = TICKETS_PER_SCALE * ctx.scale
    departments = ["宁国市城市管理局", "宁国市住房和城乡建设局", "宁国市民政局", "宁国市人力资源和社会保障局"]
    moments = sorted(plan.now - datetime.timedelta(seconds=rng.randint(3600, 365 * 86400)) for _ in range(total))
    weeks_old = [m for m in moments if STUCK_AGE[0] * DAY < plan.now - m < STUCK_AGE[1] * DAY]
    stuck = set(rng.sample(weeks_old, min(len(weeks_old), STUCK_TICKETS * ctx.scale)))
    for moment in moments:
        _ticket(ctx, plan, batch, moment, departments, stuck=moment in stuck)
    with keeping_dates(Ticket._meta.get_field("created_at"), TicketEvent._meta.get_field("created_at")):
        bulk_create(Ticket, batch.tickets, batch_size=1000)
        events = []
        for ticket, ticket_events in zip(batch.tickets, batch.events, strict=True):
            for event in ticket_events:
                event.ticket = ticket
                events.append(event)
        bulk_create(TicketEvent, events, batch_size=2000)
    for day, last in batch.counters.items():
        counter, _created = TicketCounter.objects.get_or_create(day=day)
        if counter.last < last:
            TicketCounter.objects.filter(day=day).update(last=last)
    _sweep_forward(ctx, plan)
    mix = defaultdict(int)
    for ticket in batch.tickets:
        mix[ticket.status] += 1
    shown = ", ".join(f"{TicketStatus(k).label} {n}" for k, n in sorted(mix.items()))
    rated = sum(t.rating is not None for t in batch.tickets)
    ctx.say(f"services: {len(batch.tickets)} tickets over the past year ({shown}), {len(events)} events, "
            f"{rated} rated")  # fmt: skip


def _ticket(ctx, plan: DemoPlan, batch: _Batch, created: datetime.datetime, departments, *, stuck: bool) -> Ticket:
    rng = ctx.rng
    community = rng.choice(plan.communities)
    channel = rng.choices([c for c, _w in CHANNEL_WEIGHTS], [w for _c, w in CHANNEL_WEIGHTS])[0]
    menu_item = None
    if channel == Channel.POINT_ORDER and plan.menu_by_community[community.pk]:
        menu_item = rng.choice(plan.menu_by_community[community.pk])
        item = menu_item.service_item
    else:
        channel = Channel.HOTLINE if channel == Channel.POINT_ORDER else channel
        item = rng.choice(plan.items)
    grids = plan.grids_by_community[community.pk]
    grid = rng.choice(grids) if grids else None
    ticket = Ticket(
        reference=_reference(batch, created), channel=channel, service_item=item, menu_item=menu_item,
        community=community, grid=grid, created_at=created, rating_token=f"{rng.getrandbits(256):064x}",
        description=menu_item.title if menu_item else rng.choice(DESCRIPTIONS.get(item.category, [item.name])),
    )  # fmt: skip
    level, ticket.handling_org = initial_handling(service_item=item, community=community, grid=grid)
    residents = plan.residents_by_grid[grid.pk] if grid else []
    if channel not in (Channel.GRID_REPORT, Channel.VISIT_FOLLOW_UP):
        if residents and rng.random() < 0.7:
            ticket.reporter_id = rng.choice(residents)[0]
        else:
            ticket.reporter_name, ticket.reporter_phone = ctx.person_name(rng.choice((MALE, FEMALE))), ctx.mobile()
    worker = plan.workers.get(grid.pk) if grid else None
    staff = plan.staff_by_community.get(community.pk, plan.admin)
    ticket.created_by = worker if channel in (Channel.GRID_REPORT, Channel.VISIT_FOLLOW_UP) and worker else staff
    ticket.response_due_at = add_working_hours(created, item.response_hours)
    ticket.resolution_due_at = add_working_hours(created, item.resolution_hours)
    set_level_deadline(ticket, level=level, start=created, due=ticket.resolution_due_at)
    events = [TicketEvent(kind="reported", to_status=TicketStatus.REPORTED, actor=ticket.created_by,
                          created_at=created)]  # fmt: skip
    age = plan.now - created
    status = _status_for(rng, age)
    if age < 7 * DAY and status in OPEN and ticket.resolution_due_at < plan.now:
        status = TicketStatus.RESOLVED  # recent work is on time; the late ones are the stuck ones
    if stuck:
        status = rng.choice([TicketStatus.DISPATCHED, TicketStatus.IN_PROGRESS])
    walk_ticket(ctx, plan, ticket, events, status, staff, worker, menu_item, departments)
    batch.tickets.append(ticket)
    batch.events.append(events)
    return ticket


def _sweep_forward(ctx: DemoContext, plan: DemoPlan) -> None:
    """Run the real SLA sweep over the demo's past, at each moment it would have found something, clock held there.

    The sweep runs every SWEEP_EVERY; the next moment it has work is the earliest level deadline (or yellow-card
    moment) of a still open ticket. Each run sees only tickets filed before it, so history stays in order."""
    sweeps = yellow = escalated = flagged = 0
    while (moment := _next_sweep(plan.now)) is not None:
        with frozen_clock(moment):
            result = escalate_overdue_tickets(now=moment)
        sweeps, yellow = sweeps + 1, yellow + result.yellow
        escalated, flagged = escalated + result.escalated, flagged + result.flagged
    ctx.say(f"services: {sweeps} SLA sweeps over the year: {yellow} yellow cards, {escalated} escalations, "
            f"{flagged} flagged for the city")  # fmt: skip


def _next_sweep(now: datetime.datetime) -> datetime.datetime | None:
    waiting = Ticket.objects.filter(status__in=OPEN_STATUSES, flagged_for_district=False)
    due = waiting.aggregate(first=Min("level_due_at"))["first"]
    warn = waiting.filter(card=Card.NONE).aggregate(first=Min("warn_at"))["first"]
    first = min((m for m in (due, warn) if m is not None), default=None)
    if first is None or first + SWEEP_EVERY > now:
        return None
    return first + SWEEP_EVERY
