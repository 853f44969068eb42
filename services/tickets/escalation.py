"""The SLA sweep (逐级督办): yellow cards, escalation one rung up the tree, the district flag.

Run every few minutes by `services.tasks.escalate_overdue_tickets_task`. It is set-based: a fixed handful of queries
whatever the number of tickets (one locking SELECT per step, one UPDATE per rung, one bulk INSERT of events, a query
for the staff to notify), so a backlog of a million overdue tickets costs a few statements, not a million.

It is idempotent: an escalated ticket gets a new level deadline in the future, so a second sweep finds nothing to
do; a yellow card is raised only on a ticket without a card, the district flag only once. It is safe in two workers
at once: each step locks its candidate rows with SELECT ... FOR UPDATE SKIP LOCKED inside one transaction and only
ever updates the rows it locked, so two sweeps split the work between them instead of doing it twice (on SQLite,
which has no row locks, writes are serialised anyway).
"""

from __future__ import annotations

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db import connection, transaction
from django.db.models import Case, F, IntegerField, Q, Value, When
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.selectors import staff_responsible_for
from core import outbox
from notifications.services import notify_each
from orgs.models import Organization
from orgs.rules import Level
from services.models import Card, EscalationLimit, HandlingLevel, Ticket, TicketEvent
from services.models.catalogue import LEVEL_ORDER
from services.models.tickets import OPEN_STATUSES
from services.tickets.calendar import add_working_hours

# The rungs above the grid, each with the organization level that answers for it.
_ORG_LEVEL = {
    HandlingLevel.COMMUNITY: Level.COMMUNITY,
    HandlingLevel.STREET: Level.STREET,
    HandlingLevel.DISTRICT: Level.DISTRICT,
}
_DEFAULT_HOURS = 16
_DEFAULT_SHARE = 75
WEBHOOK_CHUNK = 5000  # event ids per outbox row: one task makes the deliveries of a few thousand events


@dataclass
class SweepResult:
    yellow: int = 0
    escalated: int = 0
    flagged: int = 0
    notified: int = 0
    event_ids: list[int] = field(default_factory=list, repr=False)

    def as_dict(self) -> dict:
        return {"yellow": self.yellow, "escalated": self.escalated, "flagged": self.flagged, "notified": self.notified}


@dataclass
class _Candidate:
    pk: int
    community_id: int
    level: str
    org_id: int
    count: int
    reference: str
    target_org: int | None = None  # set by _plan for a ticket that climbs


def escalate_overdue_tickets(*, now: datetime.datetime | None = None) -> SweepResult:
    """One sweep: yellow cards for deadlines near, escalation for deadlines passed, the district flag at the top."""
    now = now or timezone.now()
    result = SweepResult()
    with transaction.atomic():
        _raise_yellow_cards(now, result)
        ladder = _ancestor_ladder()
        overdue = _lock(
            Ticket.objects.filter(status__in=OPEN_STATUSES, level_due_at__lte=now, flagged_for_district=False)
        )
        climbing, stuck = _plan(overdue, ladder)
        _climb(climbing, now, result)
        _flag(stuck, now, result)
        _enqueue_webhooks(result.event_ids)
    return result


# --- locking and planning -------------------------------------------------------------------------------------------


def _lock(queryset) -> list[_Candidate]:
    """The candidate rows, locked for this transaction; rows another sweep holds are skipped, not waited for."""
    rows = (
        queryset.select_for_update(skip_locked=True)
        .order_by()
        .values_list("pk", "community_id", "handling_level", "handling_org_id", "escalation_count", "reference")
    )
    return [_Candidate(*row) for row in rows]


def _ancestor_ladder() -> dict[int, dict[str, int]]:
    """community id → {handling level: the organization answering at that level}, from one query over the tree.

    A community answers for itself, its street and district are the ancestors at those levels; a level with no
    ancestor (a community with no district above it) is absent, and the ladder skips it.
    """
    orgs = {
        pk: (level, parent_id)
        for pk, level, parent_id in Organization.objects.filter(level__in=list(_ORG_LEVEL.values())).values_list(
            "pk", "level", "parent_id"
        )
    }
    by_org_level = {org_level: handling for handling, org_level in _ORG_LEVEL.items()}
    ladder = {}
    for pk, (level, _parent) in orgs.items():
        if level != Level.COMMUNITY:
            continue
        rungs, node = {}, pk
        while node in orgs:
            node_level, parent = orgs[node]
            rungs.setdefault(by_org_level[node_level], node)
            node = parent
        ladder[pk] = rungs
    return ladder


def _next_rung(level: str, rungs: dict[str, int]) -> str | None:
    for higher in LEVEL_ORDER[LEVEL_ORDER.index(level) + 1 :]:
        if higher in rungs:
            return higher
    return None


def _plan(overdue: list[_Candidate], ladder: dict) -> tuple[dict[tuple[str, str], list[_Candidate]], list]:
    """Group the overdue tickets by (from level, to level); those with no rung left are stuck at the top."""
    climbing: dict[tuple[str, str], list[_Candidate]] = defaultdict(list)
    stuck = []
    for ticket in overdue:
        rungs = ladder.get(ticket.community_id, {})
        target = _next_rung(ticket.level, rungs)
        if target is None:
            stuck.append(ticket)
        else:
            ticket.target_org = rungs[target]
            climbing[(ticket.level, target)].append(ticket)
    return climbing, stuck


def _among(pks: list[int]) -> Q:
    """`pk IN (these ids)` with one bound parameter whatever the count (an array on PostgreSQL, JSON on SQLite)."""
    if connection.vendor == "postgresql":
        return Q(pk__in=RawSQL("SELECT unnest(%s::bigint[])", (pks,)))
    return Q(pk__in=RawSQL("SELECT value FROM json_each(%s)", (json.dumps(pks),)))


# --- the three steps ------------------------------------------------------------------------------------------------


def _raise_yellow_cards(now: datetime.datetime, result: SweepResult) -> None:
    near = _lock(
        Ticket.objects.filter(status__in=OPEN_STATUSES, card=Card.NONE, warn_at__lte=now, level_due_at__gt=now)
    )
    if not near:
        return
    pks = [t.pk for t in near]
    Ticket.objects.filter(_among(pks)).update(card=Card.YELLOW)
    result.yellow = len(pks)
    for level in {t.level for t in near}:
        at_level = [t for t in near if t.level == level]
        result.event_ids += _insert_events(
            "yellow_card", [t.pk for t in at_level], {"level": level, "org": [t.org_id for t in at_level]}
        )


def _level_clock(level: str, now: datetime.datetime, limits: dict) -> tuple[datetime.datetime, datetime.datetime]:
    """(warn_at, level_due_at) for a ticket arriving at `level` now: the formula of services.set_level_deadline."""
    hours, share = limits.get(level, (_DEFAULT_HOURS, _DEFAULT_SHARE))
    due = add_working_hours(now, hours)
    return now + (due - now) * share / 100, due


def _climb(climbing: dict, now: datetime.datetime, result: SweepResult) -> None:
    if not climbing:
        return
    limits = {
        row[0]: row[1:] for row in EscalationLimit.objects.values_list("level", "working_hours", "yellow_card_share")
    }
    notices: dict[int, list[_Candidate]] = defaultdict(list)
    for (source, target), tickets in climbing.items():
        warn_at, due = _level_clock(target, now, limits)
        by_org: dict[int, set[int]] = defaultdict(set)
        for ticket in tickets:
            by_org[ticket.target_org].add(ticket.community_id)
            notices[ticket.target_org].append(ticket)
        pks = [t.pk for t in tickets]
        Ticket.objects.filter(_among(pks)).update(
            handling_level=target,
            handling_org_id=_org_case(by_org),
            escalation_count=F("escalation_count") + 1,
            card=Card.RED,
            level_started_at=now,
            level_due_at=due,
            warn_at=warn_at,
        )
        data = {
            "from_level": source, "to_level": target, "from_org": [t.org_id for t in tickets],
            "to_org": [t.target_org for t in tickets], "escalation_count": [t.count + 1 for t in tickets],
        }  # fmt: skip
        result.event_ids += _insert_events("escalated", pks, data)
        result.escalated += len(tickets)
    result.notified = _notify(notices)


def _org_case(by_org: dict[int, set[int]]):
    """CASE community_id WHEN ... THEN the answering ancestor: one branch per target organization."""
    if len(by_org) == 1:
        return Value(next(iter(by_org)))
    whens = [When(community_id__in=sorted(communities), then=Value(org)) for org, communities in by_org.items()]
    return Case(*whens, output_field=IntegerField())


def _flag(stuck: list[_Candidate], now: datetime.datetime, result: SweepResult) -> None:
    """Past the deadline with no rung left: flagged for the district once, and kept red."""
    if not stuck:
        return
    Ticket.objects.filter(_among([t.pk for t in stuck])).update(flagged_for_district=True, card=Card.RED)
    result.flagged = len(stuck)
    result.event_ids += _insert_events(
        "flagged_for_district",
        [t.pk for t in stuck],
        {"level": [t.level for t in stuck], "org": [t.org_id for t in stuck]},
    )


# --- events, notifications, webhooks ------------------------------------------------------------------------------


def _insert_events(kind: str, ticket_pks: list[int], data: dict) -> list[int]:
    """One event of `kind` per ticket, in one statement; returns their ids. Append-only, like record_event's.

    `data` maps each key of the event's data to a constant or to a list with one value per ticket. On PostgreSQL
    the rows are built by the database from arrays (INSERT ... SELECT FROM unnest), which keeps a sweep over a
    million tickets from building a million model instances; elsewhere bulk_create does the same job.
    """
    if not ticket_pks:
        return []
    if connection.vendor == "postgresql":
        return _insert_events_from_arrays(kind, ticket_pks, data)
    rows = [
        {key: value[i] if isinstance(value, list) else value for key, value in data.items()}
        for i in range(len(ticket_pks))
    ]
    events = [TicketEvent(ticket_id=pk, kind=kind, data=row) for pk, row in zip(ticket_pks, rows, strict=True)]
    return [event.pk for event in TicketEvent.objects.bulk_create(events, batch_size=5000)]


def _insert_events_from_arrays(kind: str, ticket_pks: list[int], data: dict) -> list[int]:
    columns, arrays, pairs, params = ["ticket_pk"], ["%s::bigint[]"], [], [ticket_pks]
    for i, (key, value) in enumerate(data.items()):
        if isinstance(value, list):
            sql_type = "text" if value and isinstance(value[0], str) else "bigint"
            columns.append(f"c{i}")
            arrays.append(f"%s::{sql_type}[]")
            params.append(value)
            pairs.append(f"'{key}', x.c{i}")
        else:
            pairs.append(f"'{key}', %s::{'text' if isinstance(value, str) else 'bigint'}")
    constants = [value for value in data.values() if not isinstance(value, list)]
    sql = (
        "INSERT INTO services_ticketevent (ticket_id, kind, from_status, to_status, note, data, created_at, actor_id)"
        f" SELECT x.ticket_pk, %s, '', '', '', jsonb_build_object({', '.join(pairs)}), %s, NULL"
        f" FROM unnest({', '.join(arrays)}) AS x({', '.join(columns)}) RETURNING id"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, [kind, *constants, timezone.now(), *params])
        return [row[0] for row in cursor.fetchall()]


def _notify(notices: dict[int, list[_Candidate]]) -> int:
    """Tell the staff answering at each ticket's new level, one batch per target organization."""
    sent = 0
    for org in Organization.objects.filter(pk__in=list(notices)):
        staff = list(staff_responsible_for(org))
        if not staff:
            continue
        messages = [
            (
                f"ticket-escalated:{ticket.pk}:{ticket.count + 1}",
                _("工单 %(ref)s 超期未办结，已升级至%(org)s督办") % {"ref": ticket.reference, "org": org.name},
                f"/tickets/{ticket.pk}/",
            )
            for ticket in notices[org.pk]
        ]
        sent += notify_each(recipients=staff, kind="ticket_escalated", messages=messages)
    return sent


def _enqueue_webhooks(event_ids: list[int]) -> None:
    """Queue the webhook deliveries of the new events in the sweep's transaction (outbox), in chunks of ids."""
    if not event_ids:
        return
    from services.models import WebhookSubscription

    if not WebhookSubscription.objects.filter(is_active=True).exists():
        return  # nobody listens: skip a million empty look-ups
    for start in range(0, len(event_ids), WEBHOOK_CHUNK):
        outbox.enqueue("services.tasks.enqueue_event_deliveries", event_ids[start : start + WEBHOOK_CHUNK])
