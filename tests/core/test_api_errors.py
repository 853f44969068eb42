import pytest

from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


def test_an_out_of_scope_row_answers_a_translated_not_found_that_names_nothing():
    mine = OrganizationFactory(level="street")
    theirs = OrganizationFactory(level="street")
    response = client_for(UserFactory(role="staff", scope=mine)).get(f"/api/v1/orgs/{theirs.pk}/")
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到。"}


def test_not_found_is_english_when_the_client_asks_for_english():
    mine = OrganizationFactory(level="street")
    response = client_for(UserFactory(role="staff", scope=mine)).get("/api/v1/orgs/999999/", HTTP_ACCEPT_LANGUAGE="en")
    assert response.json() == {"detail": "Not found."}
