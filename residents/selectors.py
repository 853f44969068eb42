"""Reads for the grid worker pages that depend on the user: the visits due, and households named unambiguously."""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Exists, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from grids.models import Household, Visit
from residents.coverage import care_visit_days
from residents.models import Resident

if TYPE_CHECKING:
    from accounts.models import User


@dataclass(frozen=True)
class VisitRule:
    """Which households must be visited, and how often ("五必访": the care groups are visited regularly)."""

    label: str | Promise
    households: Callable[[], Q]
    every_days: Callable[[], int]


def _care_households() -> Q:
    return Q(Exists(Resident.objects.current().filter(household=OuterRef("pk"), tags__needs_care_visits=True)))


# The one table of required visits. A household no rule names has no required interval (visited as need arises).
# The care interval is the coverage report's (COVERAGE_CARE_VISIT_DAYS), so the page and the figures agree.
VISIT_RULES: tuple[VisitRule, ...] = (VisitRule(_("关爱户"), _care_households, care_visit_days),)


def _visited_since(day: datetime.date) -> Q:
    return Q(Exists(Visit.objects.filter(household=OuterRef("pk"), visited_on__gte=day)))


def visits_due(*, fetched_by: User, today: datetime.date | None = None) -> QuerySet[Household]:
    """Households in the user's scope that a rule says must be visited and that have had no visit in its interval.

    Oldest first: never visited, then the longest since the last visit. One query, whatever the number of rows.
    """
    today = today or timezone.localdate()
    due = Q(pk__in=[])
    for rule in VISIT_RULES:
        due |= rule.households() & ~_visited_since(today - datetime.timedelta(days=rule.every_days()))
    last_visit = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
    households: QuerySet[Household] = (
        Household.objects.visible_to(fetched_by)
        .filter(due)
        .select_related("building__grid")
        .annotate(last_visited_on=Subquery(last_visit))
        .order_by(F("last_visited_on").asc(nulls_first=True), "building__grid__code", "building__name", "unit", "room")
    )
    return households


def label_households(households: Iterable[Household | None]) -> None:
    """Give each household a `label` that tells it apart on the list being shown.

    A list from one grid names households by building and unit-room; a list that spans grids (the care list of a
    community-level grid, search results, the visits due) leads each with its grid's name, since "1栋 1-402" may
    exist in both. Households must come with building__grid selected.
    """
    present = [household for household in households if household is not None]
    many_grids = len({household.building.grid_id for household in present}) > 1
    for household in present:
        household.label = household.name_in_grid() if many_grids else str(household)
