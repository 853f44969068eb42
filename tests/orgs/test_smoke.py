import pytest

from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_staff_sees_only_their_street_in_the_org_list():
    city = OrganizationFactory(level="district")
    mine = OrganizationFactory(level="street", parent=city)
    OrganizationFactory(level="street", parent=city)
    staff = UserFactory(role="staff", scope=mine)
    response = client_for(staff).get("/api/v1/orgs/")
    assert response.status_code == 200
    assert [row["id"] for row in response.json()["results"]] == [mine.id]
