"""Ticket statistics per organization node, rolled up through the tree, for the dashboards and the API.

Every figure is a database aggregate over the tickets whose community lies in the node's subtree (one lft/rght
range on the community): the node's figures in one query, one line per direct child in one grouped query (each
ticket labelled with the child whose range holds its community), and the rankings of communities and resident
units as grouped, ordered, limited queries. No ticket row reaches Python, so a city of a million tickets costs the
same handful of queries as a community of ten.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from django.db.models import (
    Avg,
    Case,
    Count,
    DurationField,
    ExpressionWrapper,
    F,
    FloatField,
    IntegerField,
    Q,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Cast, Coalesce, NullIf
from django.utils import timezone

from core.scoping import subtree_q
from orgs.models import Organization
from orgs.rules import Level
from services.models import Card, Ticket, TicketStatus
from services.models.tickets import OPEN_STATUSES

FINISHED = (TicketStatus.RESOLVED, TicketStatus.CLOSED)
MAIN_LINE = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)
RANKING_SIZE = 10


def _hours(value) -> float | None:
    if value is None:
        return None
    if isinstance(value, datetime.timedelta):
        return round(value.total_seconds() / 3600, 2)
    return round(float(value) / 3_600_000_000, 2)  # microseconds, as some backends return a duration average


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None


def _figures(now: datetime.datetime) -> dict:
    """The aggregates of one group of tickets, as keyword arguments for aggregate() or annotate()."""
    finished = Q(status__in=FINISHED)
    done_at = Coalesce("resolved_at", "closed_at")
    figures = {f"status_{status}": Count("pk", filter=Q(status=status)) for status in TicketStatus.values}
    return figures | {
        "total": Count("pk"),
        "finished": Count("pk", filter=finished),
        "on_time": Count(
            "pk", filter=finished & Q(resolution_due_at__isnull=False) & Q(resolution_due_at__gte=done_at)
        ),
        "open": Count("pk", filter=Q(status__in=OPEN_STATUSES)),
        "overdue": Count("pk", filter=Q(status__in=OPEN_STATUSES, resolution_due_at__lt=now)),
        "yellow_cards": Count("pk", filter=Q(card=Card.YELLOW)),
        "red_cards": Count("pk", filter=Q(card=Card.RED)),
        "avg_accept": Avg(ExpressionWrapper(F("accepted_at") - F("created_at"), output_field=DurationField())),
        "avg_resolve": Avg(ExpressionWrapper(F("resolved_at") - F("created_at"), output_field=DurationField())),
        "satisfaction": Avg("rating"),
        "rated": Count("rating"),
        "escalations": Coalesce(Sum("escalation_count"), 0),
        "escalated_tickets": Count("pk", filter=Q(escalation_count__gt=0)),
        # Proxy errands (代办): at most one per ticket, so the outer join adds no rows to count twice.
        "proxy_errands": Count("proxy_errand"),
        "proxy_errands_returned": Count("proxy_errand", filter=Q(proxy_errand__came_back_at__isnull=False)),
    }


def _present(row: dict) -> dict:
    """Turn one aggregate row into the published figures: rates and hours computed from its counts."""
    return {
        "total": row["total"],
        "by_status": {status: row[f"status_{status}"] for status in TicketStatus.values},
        "finished": row["finished"],
        "on_time": row["on_time"],
        "on_time_rate": _ratio(row["on_time"], row["finished"]),
        "open": row["open"],
        "overdue": row["overdue"],
        "overdue_share": _ratio(row["overdue"], row["open"]),
        "yellow_cards": row["yellow_cards"],
        "red_cards": row["red_cards"],
        "avg_hours_to_accept": _hours(row["avg_accept"]),
        "avg_hours_to_resolve": _hours(row["avg_resolve"]),
        "satisfaction": round(float(row["satisfaction"]), 2) if row["satisfaction"] is not None else None,
        "rated": row["rated"],
        "escalations": row["escalations"],
        "escalated_tickets": row["escalated_tickets"],
        "proxy_errands": {"recorded": row["proxy_errands"], "returned": row["proxy_errands_returned"]},
    }


def tickets_under(node: Organization):
    """The tickets whose community lies in `node`'s subtree (the node itself included)."""
    return Ticket.objects.filter(subtree_q("community", node)).order_by()


@dataclass
class TicketStats:
    node: dict
    children: list[dict]
    rankings: dict


def ticket_stats(*, node: Organization, now: datetime.datetime | None = None, ranking_size: int = RANKING_SIZE):
    """The figures of `node`, of each direct child on the main line, and the rankings within the subtree."""
    now = now or timezone.now()
    tickets = tickets_under(node)
    figures = _figures(now)
    return TicketStats(
        node=_present(tickets.aggregate(**figures)),
        children=_children(node, tickets, figures),
        rankings=_rankings(tickets, ranking_size),
    )


def _children(node: Organization, tickets, figures: dict) -> list[dict]:
    children = list(node.children.filter(level__in=MAIN_LINE).order_by("lft"))
    if not children:
        return []
    child = Case(
        *(When(subtree_q("community", c), then=Value(c.pk)) for c in children),
        output_field=IntegerField(),
    )
    rows = {row["child"]: row for row in tickets.annotate(child=child).values("child").annotate(**figures)}
    empty = dict.fromkeys(figures, 0) | {"avg_accept": None, "avg_resolve": None, "satisfaction": None}
    return [{"id": c.pk, "name": c.name, "level": c.level, **_present(rows.get(c.pk, empty))} for c in children]


def _rankings(tickets, size: int) -> dict:
    finished = Q(status__in=FINISHED)
    on_time = finished & Q(resolution_due_at__gte=Coalesce("resolved_at", "closed_at"))
    measures = {
        "finished": Count("pk", filter=finished),
        "on_time_rate": Cast(Count("pk", filter=on_time), FloatField()) / NullIf(Count("pk", filter=finished), 0),
        "satisfaction": Avg("rating"),
        "rated": Count("rating"),
    }

    def ranked(key: str, name: str, order: str) -> list[dict]:
        rows = (
            tickets.filter(**{f"{key}__isnull": False})
            .values(key, name)
            .annotate(**measures)
            .filter(**{f"{order}__isnull": False})
            .order_by(F(order).desc(), key)[:size]
        )
        return [
            {
                "id": row[key],
                "name": row[name],
                "finished": row["finished"],
                "on_time_rate": _round(row["on_time_rate"], 4),
                "satisfaction": _round(row["satisfaction"], 2),
                "rated": row["rated"],
            }  # fmt: skip
            for row in rows
        ]

    return {
        "communities_by_on_time_rate": ranked("community", "community__name", "on_time_rate"),
        "communities_by_satisfaction": ranked("community", "community__name", "satisfaction"),
        "units_by_on_time_rate": ranked("assignee_unit", "assignee_unit__name", "on_time_rate"),
        "units_by_satisfaction": ranked("assignee_unit", "assignee_unit__name", "satisfaction"),
    }


def _round(value, digits: int) -> float | None:
    return round(float(value), digits) if value is not None else None
