"""Mediation reads: the case lists of the pages and the API, and the counts the statistics publish."""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from django.db.models import Case, Count, IntegerField, Q, QuerySet, Value, When
from django.utils import timezone

from core.scoping import subtree_q
from grids.models import Grid
from mediation.models import CaseStatus, DisputeCase, DisputeParty, MediationSession
from orgs.models import Organization
from orgs.rules import Level

if TYPE_CHECKING:
    from accounts.models import User
    from mediation.querysets import DisputeCaseQuerySet

COUNTED_OUTCOMES = (CaseStatus.AGREED, CaseStatus.REFERRED, CaseStatus.FAILED)


def case_list(*, fetched_by: User, mine: bool = False, status: str = "") -> QuerySet[DisputeCase]:
    """The cases the user may see, newest first, with what a list row shows (a fixed number of queries)."""
    cases: DisputeCaseQuerySet = DisputeCase.objects.visible_to(fetched_by).with_related()
    cases = cases.annotate(party_count=Count("parties"))
    if mine:
        cases = cases.mine(fetched_by)
    if status:
        cases = cases.filter(status=status)
    return cases.order_by("-opened_at", "-id")


def case_parties(case: DisputeCase) -> QuerySet[DisputeParty]:
    return case.parties.select_related("resident").order_by("pk")


def case_sessions(case: DisputeCase) -> QuerySet[MediationSession]:
    return case.sessions.select_related("recorded_by").order_by("held_at", "pk")


@dataclass(frozen=True)
class Period:
    """Days `since` to `until`, both included (the statistics' reporting period)."""

    since: datetime.date
    until: datetime.date

    @classmethod
    def this_year(cls) -> Period:
        today = timezone.localdate()
        return cls(since=today.replace(month=1, day=1), until=today)

    def bounds(self) -> tuple[datetime.datetime, datetime.datetime]:
        zone = timezone.get_current_timezone()
        start = datetime.datetime.combine(self.since, datetime.time.min, tzinfo=zone)
        return start, datetime.datetime.combine(self.until + datetime.timedelta(days=1), datetime.time.min, tzinfo=zone)


def _figures(period: Period) -> dict[str, Count]:
    start, end = period.bounds()
    concluded = Q(concluded_at__gte=start, concluded_at__lt=end)
    figures = {"opened": Count("pk", filter=Q(opened_at__gte=start, opened_at__lt=end))}
    return figures | {status: Count("pk", filter=concluded & Q(status=status)) for status in COUNTED_OUTCOMES}


def _node_path(node: Organization | Grid) -> str:
    return "grid" if isinstance(node, Grid) else "community"


def _children(node: Organization | Grid) -> tuple[str, list[Organization] | list[Grid]]:
    """The lines under `node` and how a case reaches them: a community's top grids, else the tree's children."""
    if isinstance(node, Organization) and node.level == Level.COMMUNITY:
        return "grid", list(Grid.objects.filter(community=node, parent=None).order_by("code"))
    return _node_path(node), list(node.get_children().order_by("lft"))


def mediation_counts(
    *, cases: QuerySet[DisputeCase], node: Organization | Grid, period: Period | None = None
) -> dict[str, Any]:
    """Cases opened, agreed, referred and failed in `period`, for `node` and for each of its direct children.

    `cases` is what the reader may see (DisputeCase.objects.visible_to(user)), so no count covers a case they could
    not open; `node` is an Organization (cases by community) or a Grid (cases by grid), its subtree included. Two
    queries whatever the number of cases or children: the node's aggregate and one grouped by child.
    """
    period = period or Period.this_year()
    path = _node_path(node)
    under = cases.filter(subtree_q(path, node)).order_by()
    figures = _figures(period)
    child_path, children = _children(node)
    rows: dict[int, dict[str, Any]] = {}
    if children:
        labels = (When(subtree_q(child_path, c), then=Value(c.pk)) for c in children)
        child = Case(*labels, output_field=IntegerField())
        rows = {row["child"]: row for row in under.annotate(child=child).values("child").annotate(**figures)}
    empty = dict.fromkeys(figures, 0)
    return {
        "id": node.pk, "name": node.name, "kind": "grid" if path == "grid" else "org",
        "since": period.since.isoformat(), "until": period.until.isoformat(),
        **_counts(under.aggregate(**figures)),
        "children": [{"id": c.pk, "name": c.name, **_counts(rows.get(c.pk, empty))} for c in children],
    }  # fmt: skip


def _counts(row: dict[str, Any]) -> dict[str, Any]:
    return {"opened": row["opened"], **{status: row[status] for status in COUNTED_OUTCOMES}}
