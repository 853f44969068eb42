"""Grid worker pages (mobile-first, server-rendered): my grid and its gaps, buildings → households → residents."""

from residents.views.grids import (
    BuildingDetailView,
    GridDetailView,
    GridListView,
    HouseholdCreateView,
    HouseholdDetailView,
    HouseholdUpdateView,
    VisitCreateView,
    VisitsDueView,
)
from residents.views.residents import (
    ResidentCreateView,
    ResidentDetailView,
    ResidentPIIView,
    ResidentSearchView,
    ResidentUpdateView,
)

__all__ = [
    "BuildingDetailView",
    "GridDetailView",
    "GridListView",
    "HouseholdCreateView",
    "HouseholdDetailView",
    "HouseholdUpdateView",
    "ResidentCreateView",
    "ResidentDetailView",
    "ResidentPIIView",
    "ResidentSearchView",
    "ResidentUpdateView",
    "VisitCreateView",
    "VisitsDueView",
]
