"""Every orgs endpoint through the shared scoped-API matrix, plus the tree actions that read around a node."""

import pytest

from orgs.models import Organization
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory, OrgPositionFactory, PartyMemberFactory, make_id_number
from tests.scoped_api import SCOPED_API_CHECKS, ScopedApi, check_name, client_as

pytestmark = pytest.mark.django_db


def _community_payload(street: Organization) -> dict:
    code = f"NEW-{Organization.objects.count():05d}"
    return {"name": "新建社区党委", "code": code, "level": Level.COMMUNITY, "parent": street.pk}


def _member_payload(org: Organization) -> dict:
    return {"name": "新党员", "id_number": make_id_number(), "phone": "13900001111", "organization": org.pk}


def _position_payload(org: Organization) -> dict:
    member = PartyMemberFactory(organization=org)
    return {"member": member.pk, "organization": org.pk, "title": "deputy_secretary", "started_on": "2022-01-01"}


ORGS = ScopedApi(
    url="/api/v1/orgs/",
    make=lambda street: OrganizationFactory(level=Level.COMMUNITY, parent=street),
    payload=_community_payload,
    update={"name": "改名后的社区党委"},
)
MEMBERS = ScopedApi(
    url="/api/v1/party-members/",
    make=lambda org: PartyMemberFactory(organization=org),
    payload=_member_payload,
    update={"name": "改名后的党员"},
)
POSITIONS = ScopedApi(
    url="/api/v1/positions/",
    make=lambda org: OrgPositionFactory(member__organization=org),
    payload=_position_payload,
    update={"title": "organization_member"},
)


@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
def test_organization_api_follows_scope(check):
    check(ORGS)


@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
def test_party_member_api_follows_scope(check):
    check(MEMBERS)


@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
def test_position_api_follows_scope(check):
    check(POSITIONS)


# --- Reading around a node: children, descendants, ancestors, the nested tree -----------------------------------


@pytest.fixture
def tree():
    """District → two streets; the first street has a community → grid branch → building group line."""
    district = OrganizationFactory(level=Level.DISTRICT, code="D")
    street = OrganizationFactory(level=Level.STREET, parent=district, code="D-S1")
    other_street = OrganizationFactory(level=Level.STREET, parent=district, code="D-S2")
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street, code="D-S1-C1")
    grid = OrganizationFactory(level=Level.GRID_BRANCH, parent=community, code="D-S1-C1-G1")
    group = OrganizationFactory(level=Level.BUILDING_GROUP, parent=grid, code="D-S1-C1-G1-B1")
    other_community = OrganizationFactory(level=Level.COMMUNITY, parent=other_street, code="D-S2-C1")
    return {
        "district": district,
        "street": street,
        "other_street": other_street,
        "community": community,
        "grid": grid,
        "group": group,
        "other_community": other_community,
    }


def _ids(response) -> list[int]:
    assert response.status_code == 200, response.content
    return [row["id"] for row in response.json()["results"]]


def test_children_lists_only_direct_children(tree):
    staff = UserFactory(role="staff", scope=tree["district"])
    response = client_as(staff).get(f"/api/v1/orgs/{tree['street'].pk}/children/")
    assert _ids(response) == [tree["community"].pk]


def test_descendants_lists_the_whole_subtree_in_tree_order(tree):
    staff = UserFactory(role="staff", scope=tree["street"])
    response = client_as(staff).get(f"/api/v1/orgs/{tree['street'].pk}/descendants/")
    assert _ids(response) == [tree["community"].pk, tree["grid"].pk, tree["group"].pk]


def test_ancestors_stop_at_the_users_scope(tree):
    staff = UserFactory(role="staff", scope=tree["street"])
    response = client_as(staff).get(f"/api/v1/orgs/{tree['group'].pk}/ancestors/")
    assert _ids(response) == [tree["street"].pk, tree["community"].pk, tree["grid"].pk]


def test_ancestors_reach_the_root_for_a_district_user(tree):
    official = UserFactory(role="official", scope=tree["district"])
    response = client_as(official).get(f"/api/v1/orgs/{tree['grid'].pk}/ancestors/")
    assert _ids(response) == [tree["district"].pk, tree["street"].pk, tree["community"].pk]


@pytest.mark.parametrize("action", ["children", "descendants", "ancestors"])
def test_tree_actions_on_an_out_of_scope_node_are_404(tree, action):
    outsider = UserFactory(role="staff", scope=tree["other_street"])
    assert client_as(outsider).get(f"/api/v1/orgs/{tree['community'].pk}/{action}/").status_code == 404


def test_tree_returns_the_nested_subtree_in_one_query(tree, django_assert_num_queries):
    staff = UserFactory(role="staff", scope=tree["district"])
    client = client_as(staff)  # force-authenticated with its scope loaded: no auth queries to add
    with django_assert_num_queries(1):
        response = client.get("/api/v1/orgs/tree/", {"root": tree["street"].pk})
    assert response.status_code == 200
    (root,) = response.json()
    assert root["id"] == tree["street"].pk
    (community,) = root["children"]
    assert community["id"] == tree["community"].pk
    assert community["children"][0]["id"] == tree["grid"].pk
    assert community["children"][0]["children"][0]["id"] == tree["group"].pk
    assert community["children"][0]["children"][0]["children"] == []


def test_tree_without_root_starts_at_the_users_scope(tree):
    staff = UserFactory(role="staff", scope=tree["other_street"])
    response = client_as(staff).get("/api/v1/orgs/tree/")
    assert response.status_code == 200
    (root,) = response.json()
    assert root["id"] == tree["other_street"].pk
    assert [child["id"] for child in root["children"]] == [tree["other_community"].pk]


@pytest.mark.parametrize("root", ["district", "other_street", "other_community"])
def test_tree_with_an_out_of_scope_root_is_404(tree, root):
    staff = UserFactory(role="staff", scope=tree["street"])
    response = client_as(staff).get("/api/v1/orgs/tree/", {"root": tree[root].pk})
    assert response.status_code == 404


def test_tree_with_a_missing_root_is_404_like_a_forbidden_one(tree):
    staff = UserFactory(role="staff", scope=tree["street"])
    assert client_as(staff).get("/api/v1/orgs/tree/", {"root": 999_999}).status_code == 404


def test_tree_with_a_malformed_root_is_400(tree):
    staff = UserFactory(role="staff", scope=tree["street"])
    assert client_as(staff).get("/api/v1/orgs/tree/", {"root": "abc"}).status_code == 400


def test_tree_is_401_for_anonymous(tree):
    assert client_as(None).get("/api/v1/orgs/tree/").status_code == 401


def test_within_filter_includes_descendants_but_not_siblings(tree):
    official = UserFactory(role="official", scope=tree["district"])
    response = client_as(official).get("/api/v1/orgs/", {"within": tree["community"].pk})
    assert sorted(_ids(response)) == sorted([tree["community"].pk, tree["grid"].pk, tree["group"].pk])


@pytest.mark.parametrize("param", ["within", "organization"])
def test_filtering_by_an_out_of_scope_org_is_refused_like_a_missing_one(tree, param):
    staff = UserFactory(role="staff", scope=tree["street"])
    client = client_as(staff)
    forbidden = client.get("/api/v1/party-members/", {param: tree["other_street"].pk})
    missing = client.get("/api/v1/party-members/", {param: 999_999})
    assert forbidden.status_code == missing.status_code == 400
    assert param in forbidden.json()


def test_filtering_by_an_in_scope_org_works(tree):
    staff = UserFactory(role="staff", scope=tree["street"])
    member = PartyMemberFactory(organization=tree["grid"])
    PartyMemberFactory(organization=tree["other_community"])
    response = client_as(staff).get("/api/v1/party-members/", {"within": tree["community"].pk})
    assert _ids(response) == [member.pk]


def test_user_without_scope_sees_nothing():
    OrganizationFactory(level=Level.DISTRICT)
    scopeless = UserFactory(role="staff", scope=None)
    assert _ids(client_as(scopeless).get("/api/v1/orgs/")) == []


def test_inactive_user_is_refused():
    org = OrganizationFactory(level=Level.DISTRICT)
    inactive = UserFactory(role="staff", scope=org, is_active=False)
    # force_authenticate bypasses the active check DRF makes at login; scoping still shows nothing.
    assert _ids(client_as(inactive).get("/api/v1/orgs/")) == []
