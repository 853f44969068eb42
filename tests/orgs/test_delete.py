"""Deleting an organization never cascades: anything still hanging off it is a 409 and nothing is removed."""

import pytest

from orgs.models import Organization, PartyMember
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory, OrgPositionFactory, PartyMemberFactory
from tests.scoped_api import client_as

pytestmark = pytest.mark.django_db


@pytest.fixture
def street():
    return OrganizationFactory(level=Level.STREET)


@pytest.fixture
def staff(street):
    return UserFactory(role="staff", scope=street)


def _delete(user, org):
    return client_as(user).delete(f"/api/v1/orgs/{org.pk}/")


def test_organization_with_children_is_409_and_nothing_is_deleted(street, staff):
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    grid = OrganizationFactory(level=Level.GRID_BRANCH, parent=community)
    response = _delete(staff, community)
    assert response.status_code == 409
    assert community.name in response.json()["detail"]
    assert Organization.objects.filter(pk__in=[community.pk, grid.pk]).count() == 2


def test_organization_with_members_is_409_and_nothing_is_deleted(street, staff):
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    member = PartyMemberFactory(organization=community)
    assert _delete(staff, community).status_code == 409
    assert Organization.objects.filter(pk=community.pk).exists()
    assert PartyMember.objects.filter(pk=member.pk).exists()


def test_organization_that_is_a_users_scope_is_409(street, staff):
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    UserFactory(role="grid_worker", scope=community)
    assert _delete(staff, community).status_code == 409
    assert Organization.objects.filter(pk=community.pk).exists()


def test_organization_with_positions_from_elsewhere_is_409(street, staff):
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    other = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    OrgPositionFactory(member__organization=other, organization=community)
    assert _delete(staff, community).status_code == 409
    assert Organization.objects.filter(pk=community.pk).exists()


def test_empty_organization_is_deleted_with_204(street, staff):
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    assert _delete(staff, community).status_code == 204
    assert not Organization.objects.filter(pk=community.pk).exists()
    street.refresh_from_db()
    assert street.rght - street.lft == 1  # the tree closed the gap
