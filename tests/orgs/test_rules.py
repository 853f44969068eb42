"""The level rule table: every (parent, child) pair, through the model's clean() and through the API."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import translation

from orgs.models import Organization
from orgs.rules import Level, is_allowed
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory
from tests.scoped_api import client_as

pytestmark = pytest.mark.django_db

BESIDE = {"special", "two_new", "unit", "joint"}
# Written out independently of orgs/rules.py: this is the business rule the table must encode.
EXPECTED_ALLOWED = {
    None: {"district", "street", "community"},
    "district": {"street"} | BESIDE,
    "street": {"community"} | BESIDE,
    "community": {"grid_branch", "building_group"} | BESIDE,
    "grid_branch": {"building_group"},
    "building_group": set(),
    "special": set(),
    "two_new": {"two_new"},
    "unit": {"unit"},
    "joint": set(),
}
PAIRS = [(parent, child) for parent in [None, *Level.values] for child in Level.values]


def _pair_id(value) -> str:
    return "root" if value is None else str(value)


def _candidate(parent_level, child_level) -> Organization:
    parent = OrganizationFactory(level=parent_level) if parent_level else None
    return Organization(name="待检组织", code="CANDIDATE", level=child_level, parent=parent)


def test_expected_table_covers_every_level():
    assert set(EXPECTED_ALLOWED) == {None, *Level.values}


@pytest.mark.parametrize(("parent_level", "child_level"), PAIRS, ids=_pair_id)
def test_rule_table_decides_whether_a_level_may_sit_under_another(parent_level, child_level):
    candidate = _candidate(parent_level, child_level)
    if child_level in EXPECTED_ALLOWED[parent_level]:
        assert is_allowed(child_level, parent_level)
        candidate.full_clean()
        return
    assert not is_allowed(child_level, parent_level)
    with pytest.raises(ValidationError) as caught:
        candidate.full_clean()
    (message,) = caught.value.message_dict["parent"]
    assert str(Level(child_level).label) in message
    if parent_level is None:
        assert "最上级" in message
    else:
        assert str(Level(parent_level).label) in message


@pytest.fixture
def building_group():
    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    group = OrganizationFactory(level=Level.BUILDING_GROUP, parent=community)
    return street, group


def _community_under(group: Organization) -> dict:
    return {"name": "错位社区", "code": "MISPLACED", "level": Level.COMMUNITY, "parent": group.pk}


def test_api_refuses_a_community_under_a_building_group_naming_both_levels_in_chinese(building_group):
    street, group = building_group
    staff = UserFactory(role="staff", scope=street)
    response = client_as(staff).post("/api/v1/orgs/", _community_under(group), format="json")
    assert response.status_code == 400
    assert response.json()["parent"] == ["“社区党委/党总支”不能设在“楼栋党小组”之下。"]
    assert not Organization.objects.filter(code="MISPLACED").exists()


def test_api_refuses_the_misplacement_in_english_too(building_group):
    street, group = building_group
    staff = UserFactory(role="staff", scope=street)
    response = client_as(staff).post("/api/v1/orgs/", _community_under(group), format="json", HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    (message,) = response.json()["parent"]
    with translation.override("en"):
        child, parent = str(Level.COMMUNITY.label), str(Level.BUILDING_GROUP.label)
    # Until an English catalogue ships the labels stay Chinese; either way both levels are named.
    assert child in message
    assert parent in message
    assert not Organization.objects.filter(code="MISPLACED").exists()


def test_api_refuses_a_grid_branch_as_a_root(building_group):
    street, _group = building_group
    admin = UserFactory(role="staff", is_superuser=True)
    payload = {"name": "孤立网格", "code": "ORPHAN", "level": Level.GRID_BRANCH, "parent": None}
    response = client_as(admin).post("/api/v1/orgs/", payload, format="json")
    assert response.status_code == 400
    assert "网格（小区）党支部" in response.json()["parent"][0]
