"""The coverage figure family for the dashboards ("地不漏房、房不漏户、户不漏人"; interface in core.figures).

Every counter is a snapshot of now, per grid: buildings and those without households, households and those without
current residents, current residents missing an ID number or a phone, care households (a current resident carries a
tag that needs care visits) and those visited this month, and households visited this month. Three GROUP BY
queries (buildings, households, residents) compute them for any set of grids.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.figures import FactRow, Family, Figure, Leaves, add_months, month_start, ratio, total
from grids.models import Building, Household, Visit
from residents.models import ResidenceHistory, Resident


def _m(name: str) -> str:
    return f"coverage.{name}"


def _within(rows: QuerySet, grid_path: str, leaves: Leaves | None) -> QuerySet:
    rows = rows.order_by()
    return rows if leaves is None else rows.filter(**{f"{grid_path}_id__in": leaves.grids})


def _grouped(rows: QuerySet, grid_path: str, month: datetime.date, aggregates: dict) -> Iterator[FactRow]:
    grouped = rows.values(fact_grid=F(f"{grid_path}_id"), fact_community=F(f"{grid_path}__community_id")).annotate(
        **aggregates
    )
    for row in grouped:
        for name in aggregates:
            if row[name]:
                yield row["fact_community"], row["fact_grid"], month, _m(name), float(row[name])


def compute(leaves: Leaves | None, months: list[datetime.date]) -> Iterable[FactRow]:
    today = timezone.localdate()
    month = month_start(today)
    current = Resident.objects.current()
    care = current.filter(tags__needs_care_visits=True, household=OuterRef("pk"))
    visited = Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=month, visited_on__lt=add_months(month, 1))
    households_of_building = Household.objects.filter(building=OuterRef("pk"))
    yield from _grouped(
        _within(Building.objects.all(), "grid", leaves),
        "grid",
        month,
        {
            "buildings": Count("pk"),
            "buildings_without_households": Count("pk", filter=~Q(Exists(households_of_building))),
        },
    )
    yield from _grouped(
        _within(Household.objects.all(), "building__grid", leaves),
        "building__grid",
        month,
        {
            "households": Count("pk"),
            "households_without_residents": Count("pk", filter=~Q(Exists(current.filter(household=OuterRef("pk"))))),
            "care_households": Count("pk", filter=Q(Exists(care))),
            "care_households_visited": Count("pk", filter=Q(Exists(care)) & Q(Exists(visited))),
            "households_visited": Count("pk", filter=Q(Exists(visited))),
        },
    )  # fmt: skip
    yield from _grouped(
        _within(current, "household__building__grid", leaves),
        "household__building__grid",
        month,
        {
            "residents": Count("pk"),
            "residents_missing_id": Count("pk", filter=Q(id_number="")),
            "residents_missing_phone": Count("pk", filter=Q(phone="")),
            "residents_missing_id_or_phone": Count("pk", filter=Q(id_number="") | Q(phone="")),
        },
    )


def touched(since: datetime.datetime) -> Leaves:
    """Grids of buildings, households, residents and visits changed since `since`, and of households a resident
    moved out of (the move stamps the resident's new household; the history row names the old one)."""
    grid_ids: set[int | None] = set()
    sources = [
        (Building.objects.filter(updated_at__gte=since), "grid_id"),
        (Household.objects.filter(updated_at__gte=since), "building__grid_id"),
        (Resident.objects.filter(updated_at__gte=since), "household__building__grid_id"),
        (Visit.objects.filter(created_at__gte=since), "household__building__grid_id"),
        (ResidenceHistory.objects.filter(moved_out_on__gte=since.date()), "household__building__grid_id"),
    ]
    for rows, path in sources:
        grid_ids.update(rows.order_by().values_list(path, flat=True).distinct())
    return Leaves(grids=frozenset(grid_id for grid_id in grid_ids if grid_id is not None))


SNAPSHOT = frozenset(
    _m(n)
    for n in (
        "buildings", "buildings_without_households", "households", "households_without_residents", "care_households",
        "care_households_visited", "households_visited", "residents", "residents_missing_id",
        "residents_missing_phone", "residents_missing_id_or_phone",
    )
)  # fmt: skip

GAPS = total(
    _m("buildings_without_households"), _m("households_without_residents"), _m("residents_missing_id_or_phone")
)

FIGURES = (
    Figure("coverage.gaps", _("覆盖缺口"), GAPS, _("处"), higher_is_better=False),
    Figure("coverage.buildings_without_households", _("无户楼栋"), total(_m("buildings_without_households")), _("栋"),
           higher_is_better=False),
    Figure("coverage.households_without_residents", _("无人户"), total(_m("households_without_residents")), _("户"),
           higher_is_better=False),
    Figure("coverage.residents_missing_id", _("缺身份证号居民"), total(_m("residents_missing_id")), _("人"),
           higher_is_better=False),
    Figure("coverage.residents_missing_phone", _("缺手机号居民"), total(_m("residents_missing_phone")), _("人"),
           higher_is_better=False),
    Figure("coverage.residents", _("在册居民"), total(_m("residents")), _("人")),
    Figure("coverage.care_households", _("关爱户"), total(_m("care_households")), _("户")),
    Figure("coverage.care_visited_share", _("关爱户本月走访率"),
           ratio(_m("care_households_visited"), _m("care_households")), percent=True),
    Figure("visits.this_month", _("本月走访户数"), total(_m("households_visited")), _("户")),
)  # fmt: skip

FAMILY = Family(
    key="coverage",
    label=_("覆盖"),
    compute=compute,
    touched=touched,
    figures=FIGURES,
    snapshot_metrics=SNAPSHOT,
    trend=("coverage.gaps", "visits.this_month"),
    ranked=("coverage.gaps", "coverage.care_visited_share"),
)
