"""Moving subtrees through the API: descendants follow, the numbering stays valid, bad moves change nothing."""

import pytest

from orgs.models import Organization
from orgs.rules import Level
from orgs.tasks import check_tree_integrity
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory
from tests.scoped_api import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def tree():
    district = OrganizationFactory(level=Level.DISTRICT, code="D")
    street_a = OrganizationFactory(level=Level.STREET, parent=district, code="D-A")
    street_b = OrganizationFactory(level=Level.STREET, parent=district, code="D-B")
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street_a, code="D-A-1")
    grid = OrganizationFactory(level=Level.GRID_BRANCH, parent=community, code="D-A-1-G")
    group = OrganizationFactory(level=Level.BUILDING_GROUP, parent=grid, code="D-A-1-G-B")
    kept = OrganizationFactory(level=Level.COMMUNITY, parent=street_b, code="D-B-1")
    return {k: v for k, v in locals().items() if isinstance(v, Organization)}


def _numbering() -> dict[int, tuple]:
    return {row[0]: row[1:] for row in Organization.objects.values_list("pk", "tree_id", "lft", "rght", "depth")}


def _assert_numbering_is_consistent() -> None:
    before = _numbering()
    assert check_tree_integrity() == 0
    Organization.objects.rebuild()  # renumbers from parent links: a consistent tree comes out unchanged
    assert _numbering() == before


def _patch(user, org, data):
    return client_as(user).patch(f"/api/v1/orgs/{org.pk}/", data, format="json")


def test_moving_a_community_to_another_street_takes_its_subtree_along(tree):
    staff = UserFactory(role="staff", scope=tree["district"])
    response = _patch(staff, tree["community"], {"parent": tree["street_b"].pk})
    assert response.status_code == 200, response.content

    street_a, street_b = (Organization.objects.get(pk=tree[k].pk) for k in ("street_a", "street_b"))
    assert list(street_a.get_descendants()) == []
    moved = {tree[k].pk for k in ("community", "grid", "group", "kept")}
    assert set(street_b.get_descendants().values_list("pk", flat=True)) == moved
    group = Organization.objects.get(pk=tree["group"].pk)
    assert [o.pk for o in group.get_ancestors()] == [tree[k].pk for k in ("district", "street_b", "community", "grid")]
    assert group.depth == 4
    _assert_numbering_is_consistent()


def test_moving_a_node_under_itself_is_refused(tree):
    staff = UserFactory(role="staff", scope=tree["district"])
    before = _numbering()
    response = _patch(staff, tree["community"], {"parent": tree["community"].pk})
    assert response.status_code == 400
    assert "parent" in response.json()
    assert _numbering() == before


@pytest.mark.parametrize("target", ["grid", "group"])
def test_moving_a_node_under_its_own_descendant_is_refused(tree, target):
    staff = UserFactory(role="staff", scope=tree["district"])
    before = _numbering()
    response = _patch(staff, tree["street_a"], {"parent": tree[target].pk})
    assert response.status_code == 400
    assert response.json()["parent"] == ["不能把组织移到它自己或它的下级之下。"]
    assert _numbering() == before


def test_changing_a_level_so_existing_children_break_the_rules_is_refused(tree):
    staff = UserFactory(role="staff", scope=tree["district"])
    # A special organization may sit under a district, but a community may not sit under it.
    response = _patch(staff, tree["street_a"], {"level": Level.SPECIAL})
    assert response.status_code == 400
    (message,) = response.json()["level"]
    assert "社区党委/党总支" in message
    assert "特色党组织" in message
    assert Organization.objects.get(pk=tree["street_a"].pk).level == Level.STREET


def test_changing_a_level_the_children_still_fit_is_allowed(tree):
    staff = UserFactory(role="staff", scope=tree["district"])
    leaf = OrganizationFactory(level=Level.SPECIAL, parent=tree["street_a"], code="D-A-S")
    response = _patch(staff, leaf, {"level": Level.JOINT})
    assert response.status_code == 200, response.content


def test_moving_a_node_to_a_parent_outside_ones_scope_is_refused(tree):
    staff = UserFactory(role="staff", scope=tree["street_a"])
    before = _numbering()
    response = _patch(staff, tree["community"], {"parent": tree["street_b"].pk})
    assert response.status_code == 400
    assert "parent" in response.json()
    assert _numbering() == before
    assert Organization.objects.get(pk=tree["community"].pk).parent_id == tree["street_a"].pk


def test_detaching_ones_own_scope_root_from_its_parent_is_refused(tree):
    staff = UserFactory(role="staff", scope=tree["street_a"])
    before = _numbering()
    response = _patch(staff, tree["street_a"], {"parent": None})
    assert response.status_code == 403
    assert _numbering() == before


def test_moving_within_ones_scope_keeps_the_numbering_valid(tree):
    staff = UserFactory(role="staff", scope=tree["street_a"])
    other = OrganizationFactory(level=Level.COMMUNITY, parent=tree["street_a"], code="D-A-2")
    response = _patch(staff, tree["grid"], {"parent": other.pk})
    assert response.status_code == 200, response.content
    assert Organization.objects.get(pk=tree["group"].pk).get_ancestors().filter(pk=other.pk).exists()
    _assert_numbering_is_consistent()
