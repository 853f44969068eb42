"""The mediation figure family for the dashboards (interface in core.figures): dispute cases opened, agreed,
referred and failed per leaf (the case's grid, or its community when no grid) per month, each attributed to the
month it happened (opened_at; concluded_at for the outcomes). Two GROUP BY queries.

The family also offers `live`: the reader-scoped counts of this year that /api/v1/ticket-stats/ shows beside the
ticket statistics (core.statistics reads it from here; there is no second registry).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Count, DateField, Q, QuerySet
from django.db.models.functions import TruncMonth
from django.utils.translation import gettext_lazy as _

from core.figures import Chart, FactRow, Family, Figure, Leaves, ratio, total
from mediation.models import CaseStatus, DisputeCase
from mediation.selectors import COUNTED_OUTCOMES


def _m(name: str) -> str:
    return f"mediation.{name}"


def cases_of(leaves: Leaves | None) -> QuerySet[DisputeCase]:
    cases = DisputeCase.objects.order_by()
    if leaves is None:
        return cases
    return cases.filter(Q(grid_id__in=leaves.grids) | Q(grid__isnull=True, community_id__in=leaves.communities))


def _grouped(cases: QuerySet, month_of: str, aggregates: dict) -> Iterator[FactRow]:
    rows = (
        cases.annotate(fact_month=TruncMonth(month_of, output_field=DateField()))
        .values("community_id", "grid_id", "fact_month")
        .annotate(**aggregates)
    )
    for row in rows:
        for name in aggregates:
            if row[name] and row["fact_month"] is not None:
                yield row["community_id"], row["grid_id"], row["fact_month"], _m(name), float(row[name])


def compute(leaves: Leaves | None, months: list[datetime.date]) -> Iterable[FactRow]:
    cases = cases_of(leaves)
    yield from _grouped(cases, "opened_at", {"opened": Count("pk")})
    outcomes = {status: Count("pk", filter=Q(status=status)) for status in COUNTED_OUTCOMES}
    yield from _grouped(cases.filter(concluded_at__isnull=False, status__in=COUNTED_OUTCOMES), "concluded_at", outcomes)


def touched(since: datetime.datetime) -> Leaves:
    """Cases opened or changed since `since` (every save stamps updated_at; a case moved to another grid keeps
    its old leaf's count until the nightly rebuild)."""
    changed = DisputeCase.objects.filter(Q(updated_at__gte=since) | Q(opened_at__gte=since)).order_by()
    grids, communities = set(), set()
    for community_id, grid_id in changed.values_list("community_id", "grid_id").distinct():
        if grid_id is None:
            communities.add(community_id)
        else:
            grids.add(grid_id)
    return Leaves(frozenset(grids), frozenset(communities))


OUTCOME_ITEMS = tuple((CaseStatus(s).label, _m(s)) for s in COUNTED_OUTCOMES)
CONCLUDED = total(*(_m(status) for status in COUNTED_OUTCOMES))

FIGURES = (
    Figure("mediation.opened", _("受理调解"), total(_m("opened")), _("件")),
    Figure("mediation.agreed", _("调解成功"), total(_m(CaseStatus.AGREED)), _("件")),
    Figure("mediation.referred", _("移交"), total(_m(CaseStatus.REFERRED)), _("件")),
    Figure("mediation.failed", _("调解未成"), total(_m(CaseStatus.FAILED)), _("件"), higher_is_better=False),
    Figure("mediation.success_rate", _("调解成功率"), ratio(_m(CaseStatus.AGREED), CONCLUDED), percent=True),
)

FAMILY = Family(
    key="mediation",
    label=_("矛盾调解"),
    compute=compute,
    touched=touched,
    figures=FIGURES,
    trend=("mediation.opened", "mediation.agreed"),
    charts=(Chart("mediation.outcomes", _("调解结果"), "pie", OUTCOME_ITEMS),),
    ranked=("mediation.success_rate",),
    live="mediation.stats.mediation_family",
)
