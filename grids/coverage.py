"""The coverage report: "地不漏房、房不漏户、户不漏人" made checkable, for a grid or any organization node.

Every figure is a database aggregate over the node's subtree; nothing loops over rows in Python.
"""

import datetime
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from grids.models import Building, Grid, Household, Visit
from orgs.models import Organization
from residents.models import Resident


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


def _subtree(path: str, node) -> Q:
    return Q(**{f"{path}__tree_id": node.tree_id, f"{path}__lft__gte": node.lft, f"{path}__lft__lte": node.rght})


def _grid_filter(node) -> Q:
    """Grids under an organization node (through their community) or under a grid node."""
    if isinstance(node, Grid):
        return Q(tree_id=node.tree_id, lft__gte=node.lft, lft__lte=node.rght)
    assert isinstance(node, Organization)
    return _subtree("community", node)


def care_visit_days() -> int:
    return settings.COVERAGE_CARE_VISIT_DAYS


def coverage_report(*, node, today: datetime.date | None = None) -> CoverageReport:
    """Coverage figures for everything beneath `node` (an Organization or a Grid)."""
    today = today or timezone.localdate()
    grids = Grid.objects.filter(_grid_filter(node))
    buildings = Building.objects.filter(grid__in=grids)
    households = Household.objects.filter(building__in=buildings)
    residents = Resident.objects.current().filter(household__in=households)
    since = today - datetime.timedelta(days=care_visit_days())
    month_start = today.replace(day=1)

    care = Exists(Resident.objects.current().filter(household=OuterRef("pk"), tags__needs_care_visits=True))
    recent_visit = Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=since))
    month_visit = Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=month_start))
    any_resident = Exists(Resident.objects.current().filter(household=OuterRef("pk")))
    any_household = Exists(Household.objects.filter(building=OuterRef("pk")))

    building_figures = buildings.aggregate(total=Count("pk"), empty=Count("pk", filter=~Q(any_household)))
    household_figures = households.aggregate(
        total=Count("pk"),
        empty=Count("pk", filter=~Q(any_resident)),
        care=Count("pk", filter=Q(care)),
        care_unvisited=Count("pk", filter=Q(care) & ~Q(recent_visit)),
        visited_month=Count("pk", filter=Q(month_visit)),
    )
    resident_figures = residents.aggregate(
        total=Count("pk"),
        missing_id=Count("pk", filter=Q(id_number="")),
        missing_phone=Count("pk", filter=Q(phone="")),
    )
    return CoverageReport(
        buildings=building_figures["total"],
        buildings_without_households=building_figures["empty"],
        households=household_figures["total"],
        households_without_residents=household_figures["empty"],
        residents=resident_figures["total"],
        residents_missing_id=resident_figures["missing_id"],
        residents_missing_phone=resident_figures["missing_phone"],
        care_households=household_figures["care"],
        care_households_unvisited=household_figures["care_unvisited"],
        households_visited_this_month=household_figures["visited_month"],
        care_visit_days=care_visit_days(),
    )


def coverage_gaps(*, grid: Grid, today: datetime.date | None = None, limit: int = 50) -> dict:
    """The rows behind a grid's gaps, for the grid worker to act on (each list capped at `limit`)."""
    today = today or timezone.localdate()
    since = today - datetime.timedelta(days=care_visit_days())
    grids = Grid.objects.filter(_grid_filter(grid))
    households = Household.objects.filter(building__grid__in=grids).select_related("building")
    care = Exists(Resident.objects.current().filter(household=OuterRef("pk"), tags__needs_care_visits=True))
    recent_visit = Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=since))
    return {
        "buildings_without_households": list(
            Building.objects.filter(grid__in=grids).filter(~Exists(Household.objects.filter(building=OuterRef("pk"))))[
                :limit
            ]
        ),
        "households_without_residents": list(
            households.filter(~Exists(Resident.objects.current().filter(household=OuterRef("pk"))))[:limit]
        ),
        "care_households_unvisited": list(households.filter(care).filter(~recent_visit)[:limit]),
        "residents_missing_id_or_phone": list(
            Resident.objects.current()
            .filter(household__in=households)
            .filter(Q(id_number="") | Q(phone=""))
            .select_related("household__building")[:limit]
        ),
    }
