"""The coverage report: "地不漏房、房不漏户、户不漏人" made checkable, for a grid or any organization node.

Every figure is a database aggregate over the node's subtree; nothing loops over rows in Python. The figures fall
into six small families, one query each: buildings, households, care households, households visited this month,
occupied households and residents. The same family queries, grouped by a CASE over the child nodes' tree ranges,
give the figures of every direct child at once (`coverage_breakdown`).
"""

from __future__ import annotations

import datetime
from collections import Counter
from dataclasses import asdict, dataclass, fields

from django.conf import settings
from django.db.models import BigIntegerField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone

from core.scoping import subtree_q
from grids.models import Building, Grid, Household, Visit
from orgs.models import Organization
from orgs.rules import Level
from residents.models import Resident

# How each counted model reaches its grid.
_GRID_PATH = {
    Building: "grid",
    Household: "building__grid",
    Resident: "household__building__grid",
    Visit: "household__building__grid",
}

# Organization levels whose children get their own line in a breakdown (the main line of the tree).
_BREAKDOWN_LEVELS = (Level.STREET, Level.COMMUNITY)


@dataclass(frozen=True)
class CoverageReport:
    buildings: int
    buildings_without_households: int
    households: int
    households_without_residents: int
    residents: int
    residents_missing_id: int
    residents_missing_phone: int
    care_households: int
    care_households_unvisited: int
    households_visited_this_month: int
    care_visit_days: int

    @property
    def visited_share(self) -> float:
        return round(self.households_visited_this_month / self.households, 4) if self.households else 0.0

    def as_dict(self) -> dict:
        return asdict(self) | {"visited_share": self.visited_share}

    @classmethod
    def from_counts(cls, counts: Counter) -> CoverageReport:
        return cls(
            **{f.name: counts[f.name] for f in fields(cls) if f.name != "care_visit_days"},
            care_visit_days=care_visit_days(),
        )


@dataclass(frozen=True)
class _Window:
    """The dates the visit figures are measured against."""

    today: datetime.date

    @property
    def since(self) -> datetime.date:
        return self.today - datetime.timedelta(days=care_visit_days())

    @property
    def month_start(self) -> datetime.date:
        return self.today.replace(day=1)


def care_visit_days() -> int:
    return settings.COVERAGE_CARE_VISIT_DAYS


def subtree_grids(node: Organization | Grid) -> QuerySet[Grid]:
    """Grids under an organization node (through their community) or under (and including) a grid node."""
    if isinstance(node, Grid):
        return Grid.objects.filter(subtree_q("", node))
    if not isinstance(node, Organization):
        raise TypeError(f"coverage is reported for an Organization or a Grid, not {type(node).__name__}")
    return Grid.objects.filter(subtree_q("community", node))


def coverage_report(*, node: Organization | Grid, today: datetime.date | None = None) -> CoverageReport:
    """Coverage figures for everything beneath `node` (an Organization or a Grid).

    When the subtree holds most of the buildings (a city-wide report), the figures are counted over every row, with
    no joins up the tree, less the rows of the few grids outside: the same exact figures for a fraction of the work.
    """
    window = _Window(today or timezone.localdate())
    inside, outside = _grids_with_buildings(subtree_grids(node))
    counts: Counter[str] = Counter()
    for family in _families(window):
        if outside.total() >= inside.total():
            counts.update(family.within(list(inside)).aggregate(**family.aggregates))
            continue
        rows, aggregates = family.everywhere or (family.rows, family.aggregates)
        counts.update(rows.aggregate(**aggregates))
        if outside:
            counts.subtract(family.within(list(outside)).aggregate(**family.aggregates))
    return CoverageReport.from_counts(_derive(counts))


def _grids_with_buildings(grids: QuerySet[Grid]) -> tuple[Counter[int], Counter[int]]:
    """Buildings per grid, for the grids inside the subtree and those outside (grids without buildings left out).

    Handing the database the grid ids as a list, rather than as a subquery, lets it estimate how many rows a small
    subtree holds and walk the indexes down from it instead of hashing whole tables.
    """
    subtree = set(grids.values_list("pk", flat=True))
    inside: Counter[int] = Counter()
    outside: Counter[int] = Counter()
    for grid_id, n in Building.objects.order_by().values_list("grid_id").annotate(n=Count("pk")):
        (inside if grid_id in subtree else outside)[grid_id] = n
    return inside, outside


def coverage_children(node: Organization | Grid) -> list[Organization | Grid]:
    """The direct children a breakdown lists: communities under a street, grids under a community or a grid."""
    if isinstance(node, Grid):
        return list(node.get_children().order_by("code"))
    if node.level == Level.COMMUNITY:
        return list(Grid.objects.filter(community=node, parent__isnull=True).order_by("code"))
    return list(node.get_children().filter(level__in=_BREAKDOWN_LEVELS).order_by("code"))


def coverage_breakdown(
    *, node: Organization | Grid, today: datetime.date | None = None
) -> tuple[CoverageReport, list[tuple[Organization | Grid, CoverageReport]]]:
    """The node's report and one report per direct child, from one GROUP BY query per figure family.

    Rows beneath the node but under no listed child (a grid's own buildings, say) count towards the node only.
    """
    window = _Window(today or timezone.localdate())
    grids = subtree_grids(node)
    children = coverage_children(node)
    by_child: dict[int | None, Counter] = {}
    for family in _families(window):
        for row in (
            family.within(grids)
            .order_by()
            .values(child=_child_key(node, children, family.path))
            .annotate(**family.aggregates)
        ):
            by_child.setdefault(row.pop("child"), Counter()).update(row)
    total = sum(by_child.values(), Counter())
    return CoverageReport.from_counts(_derive(total)), [
        (child, CoverageReport.from_counts(_derive(by_child.get(child.pk, Counter())))) for child in children
    ]


def _child_key(node, children: list, path: str) -> Case | Value:
    """SQL naming the child whose subtree holds a row's grid: the grouping key of a breakdown."""
    through_community = isinstance(node, Organization) and node.level != Level.COMMUNITY
    node_path = f"{path}__community" if through_community else path
    whens = [When(subtree_q(node_path, c), then=Value(c.pk, output_field=BigIntegerField())) for c in children]
    no_child = Value(None, output_field=BigIntegerField())
    return Case(*whens, default=no_child) if whens else no_child


def _households_of_building() -> QuerySet:
    return Household.objects.filter(building=OuterRef("pk"))


@dataclass(frozen=True)
class _Family:
    """One query's worth of figures: the rows it counts, the aggregates over them, and optionally a cheaper form
    of the same count over every row in the database (used when no subtree filter applies)."""

    rows: QuerySet
    aggregates: dict
    everywhere: tuple[QuerySet, dict] | None = None

    @property
    def path(self) -> str:
        return _GRID_PATH[self.rows.model]

    def within(self, grids: QuerySet[Grid] | list[int]) -> QuerySet:
        lookup = f"{self.path}__in" if isinstance(grids, QuerySet) else f"{self.path}_id__in"
        return self.rows.filter(**{lookup: grids})


def _families(window: _Window) -> list[_Family]:
    """The figure families, one query each.

    Each family starts from its own rows, the small side (care households, households visited this month,
    occupied households as a semi-join), so nothing probes every household of the city: an EXISTS or IN inside
    FILTER is evaluated once per household, and COUNT(DISTINCT household) over a million residents sorts them all.
    Over every row, care and occupied households are the distinct household ids of (tagged) current residents,
    read straight off their partial indexes. Households without residents are households minus occupied ones.
    """
    current = Resident.objects.current()
    care_residents = current.filter(tags__needs_care_visits=True).values("household_id")
    recent_ids = Visit.objects.filter(visited_on__range=(window.since, window.today)).values("household_id")
    households = Household.objects.all()
    return [
        _Family(
            Building.objects.all(),
            {
                "buildings": Count("pk"),
                "buildings_without_households": Count("pk", filter=~Exists(_households_of_building())),
            },
        ),
        _Family(households, {"households": Count("pk")}),
        _Family(
            households.filter(pk__in=care_residents),
            {"care_households": Count("pk"), "care_households_unvisited": Count("pk", filter=~Q(pk__in=recent_ids))},
            everywhere=(
                care_residents.distinct(),
                {
                    "care_households": Count("household_id"),
                    "care_households_unvisited": Count("household_id", filter=~Q(household_id__in=recent_ids)),
                },
            ),
        ),
        _Family(
            Visit.objects.filter(visited_on__range=(window.month_start, window.today)),
            {"households_visited_this_month": Count("household_id", distinct=True)},
        ),
        _Family(
            households.filter(Exists(current.filter(household=OuterRef("pk")))),
            {"households_with_residents": Count("pk")},
            everywhere=(
                current.values("household_id").distinct(),
                {"households_with_residents": Count("household_id")},
            ),
        ),
        _Family(
            current,
            {
                "residents": Count("pk"),
                "residents_missing_id": Count("pk", filter=Q(id_number="")),
                "residents_missing_phone": Count("pk", filter=Q(phone="")),
            },
        ),
    ]


def _derive(counts: Counter) -> Counter:
    counts["households_without_residents"] = counts["households"] - counts["households_with_residents"]
    return counts


def coverage_gaps(*, grid: Grid, today: datetime.date | None = None, limit: int = 50) -> dict:
    """The rows behind a grid's gaps, for the grid worker to act on (each list capped at `limit`)."""
    window = _Window(today or timezone.localdate())
    grids = subtree_grids(grid)
    current = Resident.objects.current()
    households = Household.objects.filter(building__grid__in=grids).select_related("building__grid")
    care = Q(pk__in=current.filter(tags__needs_care_visits=True).values("household_id"))
    recent = Q(pk__in=Visit.objects.filter(visited_on__range=(window.since, window.today)).values("household_id"))
    return {
        "buildings_without_households": list(
            Building.objects.filter(grid__in=grids).filter(~Exists(_households_of_building()))[:limit]
        ),
        "households_without_residents": list(
            households.filter(~Exists(current.filter(household=OuterRef("pk"))))[:limit]
        ),
        "care_households_unvisited": list(households.filter(care & ~recent)[:limit]),
        "residents_missing_id_or_phone": list(
            current.filter(household__in=households)
            .filter(Q(id_number="") | Q(phone=""))
            .select_related("household__building__grid")[:limit]
        ),
    }
