"""Party members' ID numbers and phones: masked in every API read, full only through /pii/ with permission + log."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import PIIAccessLog, User
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory, PartyMemberFactory
from tests.scoped_api import client_as

pytestmark = pytest.mark.django_db

ID_NUMBER = "342524198005170012"  # valid: male, born 1980-05-17
MASKED_ID = "3425**********0012"
MASKED_PHONE = "139****5678"


@pytest.fixture
def member():
    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    return PartyMemberFactory(organization=community, id_number=ID_NUMBER, phone="13912345678")


def _with_full_pii(user: User) -> User:
    user.user_permissions.add(Permission.objects.get(codename="view_full_pii", content_type__app_label="accounts"))
    return User.objects.select_related("scope").get(pk=user.pk)  # a fresh object: no stale permission cache


def test_member_list_shows_masked_id_number_and_phone(member):
    staff = UserFactory(role="staff", scope=member.organization.parent)
    (row,) = client_as(staff).get("/api/v1/party-members/").json()["results"]
    assert row["id_number"] == MASKED_ID
    assert row["phone"] == MASKED_PHONE


def test_member_detail_shows_masked_values_even_with_the_permission(member):
    staff = _with_full_pii(UserFactory(role="staff", scope=member.organization))
    body = client_as(staff).get(f"/api/v1/party-members/{member.pk}/").json()
    assert (body["id_number"], body["phone"]) == (MASKED_ID, MASKED_PHONE)


def test_write_responses_are_masked_too(member):
    staff = UserFactory(role="staff", scope=member.organization)
    response = client_as(staff).patch(f"/api/v1/party-members/{member.pk}/", {"name": "新名字"}, format="json")
    assert response.status_code == 200
    assert response.json()["id_number"] == MASKED_ID


def test_full_values_without_the_permission_are_403_and_not_logged(member):
    staff = UserFactory(role="staff", scope=member.organization)
    response = client_as(staff).get(f"/api/v1/party-members/{member.pk}/pii/")
    assert response.status_code == 403
    assert ID_NUMBER not in response.content.decode()
    assert not PIIAccessLog.objects.exists()


def test_full_values_with_the_permission_are_shown_and_logged_once(member):
    staff = _with_full_pii(UserFactory(role="staff", scope=member.organization))
    response = client_as(staff).get(f"/api/v1/party-members/{member.pk}/pii/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"id_number": ID_NUMBER, "phone": "13912345678"}
    log = PIIAccessLog.objects.get()
    assert (log.viewer_id, log.subject_id, log.organization_id) == (staff.pk, member.pk, member.organization_id)
    assert log.subject_type == "orgs.partymember"
    assert log.fields == "id_number,phone"
    assert log.ip_address == "10.1.2.3"


def test_the_permission_does_not_reach_outside_ones_scope(member):
    other_street = OrganizationFactory(level=Level.STREET)
    outsider = _with_full_pii(UserFactory(role="staff", scope=other_street))
    assert client_as(outsider).get(f"/api/v1/party-members/{member.pk}/pii/").status_code == 404
    assert not PIIAccessLog.objects.exists()


def test_anonymous_cannot_reach_full_values(member):
    assert client_as(None).get(f"/api/v1/party-members/{member.pk}/pii/").status_code == 401


def test_access_log_is_scoped_like_everything_else(member):
    viewer = _with_full_pii(UserFactory(role="staff", scope=member.organization))
    client_as(viewer).get(f"/api/v1/party-members/{member.pk}/pii/")
    outsider = UserFactory(role="staff", scope=OrganizationFactory(level=Level.STREET))
    assert not PIIAccessLog.objects.visible_to(outsider).exists()
    assert PIIAccessLog.objects.visible_to(viewer).count() == 1
