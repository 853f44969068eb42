"""Every viewset of the API router is in the scoped-API battery and goes through the scoped base viewset.

A new endpoint fails here until it is described by a ScopedApi (tests/scoped_api.py) run through every check in its
app's test module, and listed below; a viewset that skips the base class, or applies its own scope in
get_queryset(), fails as well.
"""

import pytest

from config.api import router
from core.api.filters import ScopedFilterBackend
from core.api.viewsets import ScopedViewSetMixin
from core.filtersets import ScopedFilterSet
from tests.accounts import test_users_api as accounts
from tests.cobuilding import test_api as cobuilding
from tests.dashboards import test_api as dashboards
from tests.grids import test_api as grids
from tests.mediation import test_api as mediation
from tests.orgs import test_api_scoping as orgs
from tests.residents import test_api as residents
from tests.services import test_scoped_api as services

BATTERY = [
    accounts.USERS,
    orgs.ORGS, orgs.MEMBERS, orgs.POSITIONS,
    grids.GRIDS, grids.GRID_ROLES, grids.BUILDINGS, grids.HOUSEHOLDS, grids.VISITS,
    residents.RESIDENTS,
    cobuilding.UNITS, cobuilding.UNIT_REPORTS, cobuilding.AGREEMENTS, cobuilding.COMMITMENTS,
    cobuilding.MEMBER_REPORTS, cobuilding.MEETINGS, cobuilding.MEETING_ITEMS, cobuilding.WHISTLES, cobuilding.NEEDS,
    cobuilding.RESOURCES, cobuilding.EVALUATIONS, cobuilding.RATINGS,
    *services.SERVICES_APIS,
    mediation.MEDIATION_CASES,
    dashboards.DASHBOARD,
]  # fmt: skip

VIEWSETS = [(prefix, viewset) for prefix, viewset, _basename in router.registry]


def test_every_router_viewset_is_in_the_battery():
    covered = {api.url for api in BATTERY}
    missing = [prefix for prefix, _viewset in VIEWSETS if f"/api/v1/{prefix}/" not in covered]
    assert not missing, f"viewsets outside the scoped-API battery: {missing}"
    assert len(BATTERY) == len(covered) == len(VIEWSETS)


@pytest.mark.parametrize(("prefix", "viewset"), VIEWSETS, ids=[p for p, _ in VIEWSETS])
def test_every_viewset_goes_through_the_scoped_base(prefix, viewset):
    assert issubclass(viewset, ScopedViewSetMixin), prefix
    # The scope is applied in the base's get_queryset(); subclasses name their rows in get_base_queryset().
    overriding = [
        cls.__name__
        for cls in viewset.__mro__
        if issubclass(cls, ScopedViewSetMixin) and cls is not ScopedViewSetMixin and "get_queryset" in vars(cls)
    ]
    assert not overriding, (prefix, overriding)


@pytest.mark.parametrize(("prefix", "viewset"), VIEWSETS, ids=[p for p, _ in VIEWSETS])
def test_every_viewset_filters_through_a_scoped_filterset(prefix, viewset):
    filterset = ScopedFilterBackend().get_filterset_class(viewset(), viewset.queryset)
    assert filterset is None or issubclass(filterset, ScopedFilterSet), prefix
    assert any(issubclass(backend, ScopedFilterBackend) for backend in viewset.filter_backends), prefix
