"""Grids, grid duties, buildings, households and visits through /api/v1/: scoped, masked, constant-query."""

import dataclasses
import itertools

import pytest

from accounts.models import Role
from grids.models import GridLevel, Household, Visit
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.grids.factories import (
    BuildingFactory,
    GridFactory,
    GridRoleFactory,
    HouseholdFactory,
    VisitFactory,
    community_under,
    grid_under,
    grid_worker_for,
)
from tests.orgs.factories import OrganizationFactory
from tests.scoped_api import SCOPED_API_CHECKS, Cast, ScopedApi, check_name, client_as

_codes = itertools.count(1)

READ_CHECKS = [c for c in SCOPED_API_CHECKS if c.__name__ in {
    "anonymous_gets_401_everywhere",
    "official_reads_in_scope_but_gets_403_on_writes", "list_queries_do_not_grow_with_page_size",
}]  # fmt: skip


def grid_worker_cast() -> Cast:
    """The same cast, but the owner and the outsider are grid workers of two grids in the two streets."""
    cast = Cast.build()
    return dataclasses.replace(
        cast, owner=grid_worker_for(grid_under(cast.home)), outsider=grid_worker_for(grid_under(cast.sibling))
    )


def _child_grid(org):
    parent = grid_under(org)
    return GridFactory(community=parent.community, parent=parent, grid_level=GridLevel.THIRD)


def _grid_payload(org) -> dict:
    # A new second-level grid beside grid_under(org): building the body must not itself create a grid.
    return {"code": f"NEW-{next(_codes)}", "name": "新网格", "community": community_under(org).pk, "grid_level": 2}


GRIDS = ScopedApi(url="/api/v1/grids/", make=_child_grid, payload=_grid_payload, update={"name": "改名网格"})

GRID_ROLES = ScopedApi(
    url="/api/v1/grid-roles/",
    make=lambda org: GridRoleFactory(grid=grid_under(org)),
    payload=lambda org: {"grid": grid_under(org).pk, "duty": "building_head", "name": "王楼长", "phone": "13955556666"},
    update={"name": "李楼长"},
)

BUILDINGS = ScopedApi(
    url="/api/v1/buildings/",
    make=lambda org: BuildingFactory(grid=grid_under(org)),
    payload=lambda org: {"grid": grid_under(org).pk, "name": f"新{next(_codes)}栋", "kind": "residential"},
    update={"name": "改名楼"},
)


def _building_in(org):
    grid = grid_under(org)
    return grid.buildings.first() or BuildingFactory(grid=grid)


def _households(org, count):
    building = _building_in(org)
    for _ in range(count):
        HouseholdFactory(building=building, head=None)


HOUSEHOLDS = ScopedApi(
    url="/api/v1/households/",
    make=lambda org: HouseholdFactory(building=_building_in(org)),
    payload=lambda org: {"building": _building_in(org).pk, "unit": "2", "room": f"{next(_codes)}", "kind": "renting"},
    update={"room": "909"},
    make_many=_households,
)


def _household_in(org):
    building = _building_in(org)
    return building.households.first() or HouseholdFactory(building=building)


VISITS = ScopedApi(
    url="/api/v1/visits/",
    make=lambda org: VisitFactory(household=_household_in(org)),
    payload=lambda org: {"household": _household_in(org).pk, "kind": "care", "notes": "老人身体好"},
    update={"notes": "补充记录"},
)

FULL_MATRIX = [BUILDINGS, HOUSEHOLDS, VISITS]
STAFF_WRITTEN = [GRIDS, GRID_ROLES]


def _api_id(api: ScopedApi) -> str:
    return api.url.strip("/").split("/")[-1]


@pytest.mark.django_db
@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
@pytest.mark.parametrize("api", FULL_MATRIX + STAFF_WRITTEN, ids=_api_id)
def test_grid_apis_follow_staff_scope(api, check):
    check(api)


@pytest.mark.django_db
@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
@pytest.mark.parametrize("api", FULL_MATRIX, ids=_api_id)
def test_grid_apis_follow_grid_worker_scope(api, check):
    check(dataclasses.replace(api, build_cast=grid_worker_cast))


@pytest.mark.django_db
@pytest.mark.parametrize("check", READ_CHECKS, ids=check_name)
@pytest.mark.parametrize("api", STAFF_WRITTEN, ids=_api_id)
def test_grid_worker_reads_own_grids_and_duties_only(api, check):
    check(dataclasses.replace(api, build_cast=grid_worker_cast))


@pytest.mark.django_db
@pytest.mark.parametrize("api", STAFF_WRITTEN, ids=_api_id)
def test_grid_worker_of_another_grid_gets_404_and_sees_nothing(api):
    # Writes by grid workers are refused by role (403 whatever the id), so only reads can tell scope apart.
    cast = grid_worker_cast()
    obj = api.make(cast.home)
    client = client_as(cast.outsider)
    assert obj.pk not in api.list_ids(client)
    assert client.get(api.detail(obj)).status_code == 404


@pytest.mark.django_db
@pytest.mark.parametrize("api", STAFF_WRITTEN, ids=_api_id)
def test_grid_worker_cannot_draw_grids_or_hand_out_duties(api):
    cast = grid_worker_cast()
    obj = api.make(cast.home)
    client = client_as(cast.owner)
    assert client.get(api.detail(obj)).status_code == 200
    assert client.post(api.url, api.payload(cast.home), format="json").status_code == 403
    assert client.patch(api.detail(obj), api.update, format="json").status_code == 403


@pytest.mark.django_db
def test_grid_worker_cannot_create_household_in_another_grids_building():
    cast = grid_worker_cast()
    foreign_building = _building_in(cast.sibling)
    response = client_as(cast.owner).post(
        HOUSEHOLDS.url, {"building": foreign_building.pk, "room": "101"}, format="json"
    )
    assert response.status_code == 400
    assert "building" in response.json()
    assert not Household.objects.filter(building=foreign_building, room="101").exists()


@pytest.mark.django_db
def test_grid_worker_cannot_move_household_into_another_grids_building():
    cast = grid_worker_cast()
    household = _household_in(cast.home)
    response = client_as(cast.owner).patch(
        HOUSEHOLDS.detail(household), {"building": _building_in(cast.sibling).pk}, format="json"
    )
    assert response.status_code == 400
    assert "building" in response.json()
    household.refresh_from_db()
    assert household.building.grid == grid_under(cast.home)


@pytest.mark.django_db
def test_household_phone_is_masked_in_list_and_detail(cast):
    household = HouseholdFactory(building=_building_in(cast.home), phone="13912345678")
    client = client_as(cast.owner)
    listed = client.get(HOUSEHOLDS.url).json()["results"]
    assert [row["phone"] for row in listed] == ["139****5678"]
    assert client.get(HOUSEHOLDS.detail(household)).json()["phone"] == "139****5678"
    assert "13912345678" not in client.get(HOUSEHOLDS.url).content.decode()


@pytest.mark.django_db
def test_household_with_bad_phone_gets_a_field_error_in_chinese(cast):
    response = client_as(cast.owner).post(
        HOUSEHOLDS.url, {"building": _building_in(cast.home).pk, "room": "301", "phone": "12345"}, format="json"
    )
    assert response.status_code == 400
    assert "phone" in response.json()


@pytest.mark.django_db
def test_grid_community_filter_includes_communities_beneath_a_street(cast):
    home_grid, sibling_grid = grid_under(cast.home), grid_under(cast.sibling)
    client = client_as(cast.official)
    ids = GRIDS.list_ids(client, community=cast.home.pk)
    assert home_grid.pk in ids
    assert sibling_grid.pk not in ids


@pytest.mark.django_db
def test_grid_children_action_lists_direct_children_only(cast):
    parent = grid_under(cast.home)
    child = _child_grid(cast.home)
    unrelated = GridFactory(community=parent.community, grid_level=GridLevel.SECOND, code="OTHER-1")
    response = client_as(cast.owner).get(f"{GRIDS.detail(parent)}children/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [child.pk]
    assert unrelated.pk not in [row["id"] for row in response.json()["results"]]


@pytest.mark.django_db
def test_outsider_gets_404_on_grid_children():
    cast = grid_worker_cast()
    parent = grid_under(cast.home)
    assert client_as(cast.outsider).get(f"{GRIDS.detail(parent)}children/").status_code == 404


@pytest.mark.django_db
def test_building_grid_filter_includes_sub_grids(cast):
    parent = grid_under(cast.home)
    child = _child_grid(cast.home)
    in_child = BuildingFactory(grid=child)
    elsewhere = BuildingFactory(grid=GridFactory(community=parent.community, grid_level=GridLevel.SECOND))
    ids = BUILDINGS.list_ids(client_as(cast.owner), grid=parent.pk)
    assert in_child.pk in ids
    assert elsewhere.pk not in ids


@pytest.mark.django_db
def test_filtering_by_a_grid_outside_scope_is_refused_not_revealed():
    cast = grid_worker_cast()
    response = client_as(cast.owner).get(BUILDINGS.url, {"grid": grid_under(cast.sibling).pk})
    assert response.status_code == 400


@pytest.mark.django_db
def test_visit_visitor_is_whoever_records_it_and_cannot_be_changed():
    cast = grid_worker_cast()
    household = _household_in(cast.home)
    someone_else = UserFactory(role=Role.GRID_WORKER)
    client = client_as(cast.owner)
    created = client.post(
        VISITS.url, {"household": household.pk, "kind": "routine", "visitor": someone_else.pk}, format="json"
    )
    assert created.status_code == 201, created.content
    assert created.json()["visitor"] == cast.owner.pk
    visit = Visit.objects.get(pk=created.json()["id"])
    client.patch(VISITS.detail(visit), {"visitor": someone_else.pk}, format="json")
    visit.refresh_from_db()
    assert visit.visitor == cast.owner


@pytest.mark.django_db
def test_visit_in_the_future_is_refused_with_a_field_error():
    cast = grid_worker_cast()
    response = client_as(cast.owner).post(
        VISITS.url, {"household": _household_in(cast.home).pk, "visited_on": "2999-01-01"}, format="json"
    )
    assert response.status_code == 400
    assert "visited_on" in response.json()


@pytest.mark.django_db
def test_grid_under_a_street_is_refused_with_a_field_error(cast):
    response = client_as(cast.owner).post(
        GRIDS.url, {"code": "BAD-1", "name": "错误网格", "community": cast.home.pk, "grid_level": 1}, format="json"
    )
    assert response.status_code == 400
    assert "community" in response.json()


@pytest.mark.django_db
def test_community_staff_sees_only_their_communitys_grids(cast):
    grid = grid_under(cast.home)
    other_community = OrganizationFactory(level=Level.COMMUNITY, parent=cast.home)
    other = GridFactory(community=other_community)
    staff = UserFactory(role=Role.STAFF, scope=grid.community)
    ids = GRIDS.list_ids(client_as(staff))
    assert grid.pk in ids
    assert other.pk not in ids


@pytest.mark.django_db
def test_second_household_with_the_same_room_is_refused_in_chinese(cast):
    existing = HouseholdFactory(building=_building_in(cast.home), unit="", room="101")
    response = client_as(cast.owner).post(
        HOUSEHOLDS.url, {"building": existing.building_id, "room": "101"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {"non_field_errors": ["该楼栋已有相同单元和房号的户。"]}
