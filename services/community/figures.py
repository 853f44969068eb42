"""The community services' figure family for the dashboards (interface in core.figures), per community per month.

Micro-wishes posted (posted_at), claimed (claimed_at) and fulfilled (fulfilled_at, still fulfilled or confirmed
now) in the month it happened; housekeeper projects (管家计划) by kind and by rating, a snapshot of the library now.
Point orders are tickets of channel point_order: the tickets family already counts them per leaf and month
(tickets.channel_point_order), so this family shows that counter rather than storing it twice. Four GROUP BYs.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.figures import Chart, FactRow, Family, Figure, Leaves, month_start, ratio, total
from services.models import Channel, HousekeeperProject, MicroWish, ProjectKind, ProjectRating, WishStatus

POINT_ORDERS = f"tickets.channel_{Channel.POINT_ORDER}"


def _m(name: str) -> str:
    return f"community.{name}"


def _grouped(rows: QuerySet, month_of: str | None, aggregates: dict, leaves: Leaves | None) -> Iterator[FactRow]:
    """One GROUP BY (community, month of `month_of`, or this month for a snapshot)."""
    rows = rows.order_by()
    if leaves is not None:
        rows = rows.filter(community_id__in=leaves.communities)
    keys = ["community_id"]
    if month_of is not None:
        rows, keys = rows.annotate(fact_month=TruncMonth(month_of, output_field=DateField())), [*keys, "fact_month"]
    this_month = month_start(timezone.localdate())
    for row in rows.values(*keys).annotate(**aggregates):
        month = row.get("fact_month", this_month)
        for name in aggregates:
            if row[name] and month is not None:
                yield row["community_id"], None, month, _m(name), float(row[name])


def compute(leaves: Leaves | None, months: list[datetime.date]) -> Iterable[FactRow]:
    wishes = MicroWish.objects.all()
    yield from _grouped(wishes, "posted_at", {"wishes_posted": Count("pk")}, leaves)
    claimed = wishes.filter(claimed_at__isnull=False)
    yield from _grouped(claimed, "claimed_at", {"wishes_claimed": Count("pk")}, leaves)
    fulfilled = wishes.filter(fulfilled_at__isnull=False, status__in=(WishStatus.FULFILLED, WishStatus.CONFIRMED))
    yield from _grouped(fulfilled, "fulfilled_at", {"wishes_fulfilled": Count("pk")}, leaves)
    projects = {"projects": Count("pk")} | {f"projects_{k}": Count("pk", filter=Q(kind=k)) for k in ProjectKind.values}
    projects |= {f"projects_rated_{r}": Count("pk", filter=Q(rating=r)) for r in ProjectRating.values}
    yield from _grouped(HousekeeperProject.objects.all(), None, projects, leaves)


def touched(since: datetime.datetime) -> Leaves:
    """Communities of wishes and projects saved since `since` (both stamp updated_at); a deleted project waits for
    the nightly rebuild."""
    found: set[int] = set()
    for model in (MicroWish, HousekeeperProject):
        found.update(model.objects.filter(updated_at__gte=since).order_by().values_list("community_id", flat=True))
    return Leaves(communities=frozenset(found))


SNAPSHOT = frozenset(
    [_m("projects")]
    + [_m(f"projects_{k}") for k in ProjectKind.values]
    + [_m(f"projects_rated_{r}") for r in ProjectRating.values]
)

FIGURES = (
    Figure("community.point_orders", _("群众点单"), total(POINT_ORDERS), _("件")),
    Figure("community.wishes_posted", _("发布微心愿"), total(_m("wishes_posted")), _("个")),
    Figure("community.wishes_claimed", _("认领微心愿"), total(_m("wishes_claimed")), _("个")),
    Figure("community.wishes_fulfilled", _("实现微心愿"), total(_m("wishes_fulfilled")), _("个")),
    Figure("community.wishes_fulfilled_share", _("心愿实现率"), ratio(_m("wishes_fulfilled"), _m("wishes_posted")),
           percent=True),
    Figure("community.projects", _("管家计划项目"), total(_m("projects")), _("个")),
)  # fmt: skip

FAMILY = Family(
    key="community",
    label=_("社区服务"),
    compute=compute,
    touched=touched,
    figures=FIGURES,
    snapshot_metrics=SNAPSHOT,
    trend=("community.wishes_posted", "community.wishes_fulfilled", "community.point_orders"),
    charts=(
        Chart("community.projects_by_kind", _("管家计划类别"), "pie",
              tuple((k.label, _m(f"projects_{k.value}")) for k in ProjectKind)),
        Chart("community.projects_by_rating", _("管家计划评定"), "bar",
              tuple((r.label, _m(f"projects_rated_{r.value}")) for r in ProjectRating)),
    ),  # fmt: skip
    ranked=("community.wishes_fulfilled", "community.point_orders"),
)
