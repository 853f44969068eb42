"""The tickets' figure family for the dashboards (see core.figures for the interface).

Counters per leaf (the ticket's community and grid) per month, each attributed to the month its event happened:
new tickets, channels, cards and escalations to the month the ticket was registered; accepted tickets and the hours
to accept to the month of acceptance; finished tickets, on-time ones and hours to resolve to the month of
resolution; ratings to the month they were given; service categories, service items and escalated tickets by the
level now answerable to the month the ticket was registered. Open, overdue and by-status are snapshots of now. Six
GROUP BY queries compute them all for any set of leaves; nothing loops over tickets.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from django.db import connection, transaction
from django.db.models import Count, DateField, DurationField, ExpressionWrapper, F, Q, QuerySet, Sum
from django.db.models.functions import Coalesce, TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.figures import Chart, Counters, FactRow, Family, Figure, Leaves, mean, month_start, ratio, total
from services.models import Card, Channel, ServiceItem, Ticket, TicketEvent, TicketStatus
from services.models.catalogue import HandlingLevel, ServiceCategory
from services.models.tickets import OPEN_STATUSES

FINISHED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
RATINGS = range(1, 6)
TOP_ITEMS = 10
ITEM_PREFIX = "tickets.item_"
IDS_PER_QUERY = 900  # under SQLite's 999 parameters


def _m(name: str) -> str:
    return f"tickets.{name}"


def _hours(value) -> float:
    if value is None:
        return 0.0
    if isinstance(value, datetime.timedelta):
        return value.total_seconds() / 3600
    return float(value) / 3_600_000_000  # microseconds, as SQLite returns a sum of durations


def tickets_of(leaves: Leaves | None) -> QuerySet[Ticket]:
    tickets = Ticket.objects.order_by()
    if leaves is None:
        return tickets
    return tickets.filter(Q(grid_id__in=leaves.grids) | Q(grid__isnull=True, community_id__in=leaves.communities))


def _duration(start: str, end: str) -> ExpressionWrapper:
    return ExpressionWrapper(F(end) - F(start), output_field=DurationField())


def _grouped(tickets: QuerySet, month_of, aggregates: dict) -> Iterator[FactRow]:
    """One GROUP BY (community, grid, month of `month_of`) over `tickets`, unfolded into fact rows."""
    rows = (
        tickets.annotate(fact_month=TruncMonth(month_of, output_field=DateField()))
        .values("community_id", "grid_id", "fact_month")
        .annotate(**aggregates)
    )
    for row in rows:
        if row["fact_month"] is None:  # a finished ticket with neither time stamped: no month to count it in
            continue
        for name in aggregates:
            value = row[name]
            value = _hours(value) if name.endswith("_hours_sum") else float(value or 0)
            if value:
                yield row["community_id"], row["grid_id"], row["fact_month"], _m(name), value


def compute(leaves: Leaves | None, months: list[datetime.date]) -> Iterable[FactRow]:
    if leaves is None or connection.vendor not in TEMP_SCHEMA:
        yield from _compute(tickets_of(leaves))
        return
    with _leaves_tickets_copied(leaves):
        yield from _compute(Ticket.objects.order_by())  # the copy: only the leaves' tickets


# The columns compute() reads, and the schema where each database keeps a connection's temporary tables.
COLUMNS = (
    "id", "community_id", "grid_id", "service_item_id", "status", "channel", "card", "escalation_count",
    "handling_level", "created_at", "accepted_at", "resolved_at", "closed_at", "resolution_due_at", "rating",
    "rated_at",
)  # fmt: skip
TEMP_SCHEMA = {"postgresql": "pg_temp", "sqlite": "temp"}


@contextmanager
def _leaves_tickets_copied(leaves: Leaves) -> Iterator[None]:
    """Copy the leaves' tickets (the columns compute reads) into a temporary table named like the ticket table,
    which hides it for this connection until dropped: the GROUP BYs below then read one small, dense table instead
    of each fetching the same tickets scattered over the whole table's pages (an incremental refresh's 1,000
    changed tickets touch leaves holding ~150,000 tickets of a 1M table: 0.5-1 s a query, measured on PostgreSQL).
    Nothing else may read tickets on this connection meanwhile (compute's consumer only collects fact rows). The
    drop names the temporary schema, so it can never reach the real table; on an error the transaction's rollback
    drops the copy (both databases roll back DDL), where a DROP could not run in PostgreSQL's aborted transaction."""
    table = connection.ops.quote_name(Ticket._meta.db_table)
    sql, params = tickets_of(leaves).values_list(*COLUMNS).query.sql_with_params()
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE {table} AS {sql}", params)
        yield
        cursor.execute(f"DROP TABLE {TEMP_SCHEMA[connection.vendor]}.{table}")


def _compute(tickets: QuerySet[Ticket]) -> Iterator[FactRow]:
    now = timezone.now()
    created = {"new": Count("pk")} | {f"channel_{c}": Count("pk", filter=Q(channel=c)) for c in Channel.values}
    created |= {
        "card_yellow": Count("pk", filter=Q(card=Card.YELLOW)),
        "card_red": Count("pk", filter=Q(card=Card.RED)),
        "escalations": Sum("escalation_count"),
        "escalated": Count("pk", filter=Q(escalation_count__gt=0)),
    }
    created |= {
        f"escalated_{level}": Count("pk", filter=Q(escalation_count__gt=0, handling_level=level))
        for level in HandlingLevel.values
    }
    yield from _grouped(tickets, "created_at", created)
    yield from _by_item(tickets)
    yield from _grouped(
        tickets.filter(accepted_at__isnull=False),
        "accepted_at",
        {"accepted": Count("pk"), "accept_hours_sum": Sum(_duration("created_at", "accepted_at"))},
    )
    done_at = Coalesce("resolved_at", "closed_at")
    yield from _grouped(
        tickets.filter(status__in=FINISHED).annotate(done_at=done_at),
        "done_at",
        {
            "finished": Count("pk"),
            "on_time": Count("pk", filter=Q(resolution_due_at__isnull=False, resolution_due_at__gte=F("done_at"))),
            "resolved": Count("pk", filter=Q(resolved_at__isnull=False)),
            "resolve_hours_sum": Sum(_duration("created_at", "resolved_at")),
        },
    )
    ratings = {"rating_count": Count("pk"), "rating_sum": Sum("rating")}
    ratings |= {f"rating_{n}": Count("pk", filter=Q(rating=n)) for n in RATINGS}
    yield from _grouped(tickets.filter(rating__isnull=False, rated_at__isnull=False), "rated_at", ratings)
    yield from _snapshot(tickets, now)


def _by_item(tickets: QuerySet) -> Iterator[FactRow]:
    """New tickets per service item: one counter per item ("tickets.item_<id>"), which the top-items chart ranks,
    and per service category ("tickets.category_<category>"), the items' counts summed by their category (one small
    query of the catalogue instead of a join and a filtered count per category over every ticket)."""
    rows = list(
        tickets.annotate(fact_month=TruncMonth("created_at", output_field=DateField()))
        .values("community_id", "grid_id", "fact_month", "service_item_id")
        .annotate(count=Count("pk"))
    )
    item_ids = {row["service_item_id"] for row in rows if row["service_item_id"] is not None}
    categories = dict(ServiceItem.objects.filter(pk__in=item_ids).values_list("pk", "category")) if item_ids else {}
    by_category: dict[tuple, float] = defaultdict(float)
    for row in rows:
        key = (row["community_id"], row["grid_id"], row["fact_month"])
        yield *key, f"{ITEM_PREFIX}{row['service_item_id']}", float(row["count"])
        category = categories.get(row["service_item_id"])
        if category:
            by_category[(*key, _m(f"category_{category}"))] += row["count"]
    for (community_id, grid_id, month, metric), count in by_category.items():
        yield community_id, grid_id, month, metric, count


def _snapshot(tickets: QuerySet, now: datetime.datetime) -> Iterator[FactRow]:
    this_month = month_start(timezone.localdate(now))
    aggregates = {
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, resolution_due_at__lt=now)),
    } | {f"status_{s}": Count("pk", filter=Q(status=s)) for s in TicketStatus.values}
    for row in tickets.values("community_id", "grid_id").annotate(**aggregates):
        for name in aggregates:
            if row[name]:
                yield row["community_id"], row["grid_id"], this_month, _m(name), float(row[name])


def touched(since: datetime.datetime) -> Leaves:
    """Tickets registered or changed (every change records an event) since `since`, and open tickets whose
    deadline passed since then (they became overdue with no event). Three queries, each served by its own index
    (created_at, the events' created_at, resolution_due_at): one query OR-ing them read the whole table."""
    now = timezone.now()
    changed_ids = set(Ticket.objects.filter(created_at__gte=since).values_list("pk", flat=True))
    changed_ids |= set(TicketEvent.objects.filter(created_at__gte=since).values_list("ticket_id", flat=True))
    overdue = Ticket.objects.filter(status__in=OPEN_STATUSES, resolution_due_at__gte=since, resolution_due_at__lt=now)
    changed_ids |= set(overdue.values_list("pk", flat=True))
    grids, communities = set(), set()
    for ids in _chunks(sorted(changed_ids), IDS_PER_QUERY):
        leaves = Ticket.objects.filter(pk__in=ids).order_by().values_list("community_id", "grid_id").distinct()
        for community_id, grid_id in leaves:
            if grid_id is None:
                communities.add(community_id)
            else:
                grids.add(grid_id)
    return Leaves(frozenset(grids), frozenset(communities))


def _chunks(values: list[int], size: int) -> Iterator[list[int]]:
    for start in range(0, len(values), size):
        yield values[start : start + size]


SNAPSHOT = frozenset(_m(n) for n in ["open", "overdue", *(f"status_{s}" for s in TicketStatus.values)])


@dataclass(frozen=True)
class RankedChart(Chart):
    """A chart whose bars are not known in advance: the counters named `prefix<id>` with the largest values, at most
    `size` of them, labelled by `labels(ids)` (one query). The report asks it for its items with the node's
    counters; a plain Chart lists its (label, metric) pairs instead."""

    prefix: str = ""
    size: int = TOP_ITEMS
    labels: Callable[[list[int]], dict[int, str]] = lambda ids: {}

    def ranked_items(self, counters: Counters) -> list[tuple[str, float]]:
        found = [(int(key.removeprefix(self.prefix)), value) for key, value in counters.items()
                 if key.startswith(self.prefix) and value]  # fmt: skip
        found.sort(key=lambda pair: (-pair[1], pair[0]))
        top = found[: self.size]
        names = self.labels([item_id for item_id, _value in top])
        return [(names.get(item_id, str(item_id)), value) for item_id, value in top]


def service_item_names(ids: list[int]) -> dict[int, str]:
    return dict(ServiceItem.objects.filter(pk__in=ids).values_list("pk", "name")) if ids else {}


FIGURES = (
    Figure("tickets.new", _("新增工单"), total(_m("new")), _("件")),
    Figure("tickets.open", _("在办工单"), total(_m("open")), _("件"), higher_is_better=False),
    Figure("tickets.overdue", _("超时工单"), total(_m("overdue")), _("件"), higher_is_better=False),
    Figure(
        "tickets.overdue_share", _("超时占比"), ratio(_m("overdue"), _m("open")), percent=True, higher_is_better=False
    ),
    Figure("tickets.on_time_rate", _("按时办结率"), ratio(_m("on_time"), _m("finished")), percent=True),
    Figure("tickets.finished", _("办结工单"), total(_m("finished")), _("件")),
    Figure(
        "tickets.accept_hours", _("平均受理用时"), mean(_m("accept_hours_sum"), _m("accepted")), _("小时"),
        higher_is_better=False,
    ),
    Figure(
        "tickets.resolve_hours", _("平均办结用时"), mean(_m("resolve_hours_sum"), _m("resolved")), _("小时"),
        higher_is_better=False,
    ),
    Figure("tickets.satisfaction", _("满意度"), mean(_m("rating_sum"), _m("rating_count")), _("分")),
    Figure("tickets.card_yellow", _("黄牌预警"), total(_m("card_yellow")), _("件"), higher_is_better=False),
    Figure("tickets.card_red", _("红牌督办"), total(_m("card_red")), _("件"), higher_is_better=False),
    Figure("tickets.escalations", _("升级次数"), total(_m("escalations")), _("次"), higher_is_better=False),
)  # fmt: skip

FAMILY = Family(
    key="tickets",
    label=_("工单"),
    compute=compute,
    touched=touched,
    figures=FIGURES,
    snapshot_metrics=SNAPSHOT,
    trend=("tickets.new", "tickets.finished", "tickets.overdue"),
    charts=(
        Chart(
            "tickets.by_status", _("工单状态"), "pie", tuple((s.label, _m(f"status_{s.value}")) for s in TicketStatus)
        ),
        Chart("tickets.by_channel", _("来源渠道"), "bar", tuple((c.label, _m(f"channel_{c.value}")) for c in Channel)),
        Chart("tickets.ratings", _("满意度分布"), "bar", tuple((f"{n}★", _m(f"rating_{n}")) for n in RATINGS)),
        Chart(
            "tickets.by_category",
            _("事项类别"),
            "bar",
            tuple((c.label, _m(f"category_{c.value}")) for c in ServiceCategory),
        ),
        Chart(
            "tickets.escalations_by_level",
            _("升级工单（按当前层级）"),
            "bar",
            tuple((level.label, _m(f"escalated_{level.value}")) for level in HandlingLevel),
        ),
        RankedChart("tickets.top_items", _("高频服务事项"), "bar", (), prefix=ITEM_PREFIX, labels=service_item_names),
    ),
    ranked=("tickets.on_time_rate", "tickets.satisfaction", "tickets.overdue"),
)
