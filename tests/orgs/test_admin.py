"""The organization admin: lists, change pages and parent choices follow the user's scope; officials read only."""

import pytest

from orgs.models import Organization
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

CHANGELIST = "/admin/orgs/organization/"


@pytest.fixture
def tree():
    district = OrganizationFactory(level=Level.DISTRICT, name="宣州区委")
    home = OrganizationFactory(level=Level.STREET, parent=district, name="西林街道党工委")
    community = OrganizationFactory(level=Level.COMMUNITY, parent=home, name="敬亭社区党委")
    sibling = OrganizationFactory(level=Level.STREET, parent=district, name="澄江街道党工委")
    hidden = OrganizationFactory(level=Level.COMMUNITY, parent=sibling, name="梅园社区党委")
    return {"district": district, "home": home, "community": community, "sibling": sibling, "hidden": hidden}


@pytest.fixture
def staff_client(client, tree):
    client.force_login(UserFactory(role="staff", scope=tree["home"]))
    return client


def test_staff_sees_only_in_scope_organizations_in_the_list(staff_client, tree):
    response = staff_client.get(CHANGELIST)
    assert response.status_code == 200
    shown = set(response.context["cl"].result_list)
    assert shown == {tree["home"], tree["community"]}
    html = response.content.decode()
    assert "敬亭社区党委" in html
    for name in ("宣州区委", "澄江街道党工委", "梅园社区党委"):
        assert name not in html


def test_out_of_scope_change_page_does_not_reveal_the_object(staff_client, tree):
    response = staff_client.get(f"{CHANGELIST}{tree['hidden'].pk}/change/")
    assert response.status_code == 302
    followed = staff_client.get(f"{CHANGELIST}{tree['hidden'].pk}/change/", follow=True)
    assert "梅园社区党委" not in followed.content.decode()


def test_in_scope_change_page_opens(staff_client, tree):
    response = staff_client.get(f"{CHANGELIST}{tree['community'].pk}/change/")
    assert response.status_code == 200
    assert "敬亭社区党委" in response.content.decode()


def test_parent_choices_in_the_add_form_are_scoped(staff_client, tree):
    response = staff_client.get(f"{CHANGELIST}add/")
    assert response.status_code == 200
    parent_field = response.context["adminform"].form.fields["parent"]
    assert set(parent_field.queryset) == {tree["home"], tree["community"]}


def test_parent_autocomplete_offers_only_in_scope_organizations(staff_client, tree):
    response = staff_client.get(
        "/admin/autocomplete/",
        {"app_label": "orgs", "model_name": "organization", "field_name": "parent", "term": ""},
    )
    assert response.status_code == 200
    ids = {int(row["id"]) for row in response.json()["results"]}
    assert ids == {tree["home"].pk, tree["community"].pk}


def test_adding_under_an_out_of_scope_parent_is_refused(staff_client, tree):
    data = {
        "name": "越界社区", "code": "SNEAK", "level": Level.COMMUNITY, "parent": tree["sibling"].pk, "is_active": "on",
        "positions-TOTAL_FORMS": "0", "positions-INITIAL_FORMS": "0",
        "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = staff_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 200  # the form comes back with an error
    assert "parent" in response.context["adminform"].form.errors
    assert not Organization.objects.filter(code="SNEAK").exists()


def test_adding_a_misplaced_level_shows_the_rule_error(staff_client, tree):
    data = {
        "name": "错位网格", "code": "WRONG", "level": Level.GRID_BRANCH, "parent": tree["home"].pk, "is_active": "on",
        "positions-TOTAL_FORMS": "0", "positions-INITIAL_FORMS": "0",
        "members-TOTAL_FORMS": "0", "members-INITIAL_FORMS": "0",
    }  # fmt: skip
    response = staff_client.post(f"{CHANGELIST}add/", data)
    assert response.status_code == 200
    assert "不能设在" in str(response.context["adminform"].form.errors["parent"])
    assert not Organization.objects.filter(code="WRONG").exists()


def test_official_sees_the_list_but_cannot_add(client, tree):
    client.force_login(UserFactory(role="official", scope=tree["district"]))
    response = client.get(CHANGELIST)
    assert response.status_code == 200
    assert len(response.context["cl"].result_list) == 5
    assert client.get(f"{CHANGELIST}add/").status_code == 403


def test_official_change_page_is_read_only(client, tree):
    client.force_login(UserFactory(role="official", scope=tree["district"]))
    response = client.get(f"{CHANGELIST}{tree['community'].pk}/change/")
    assert response.status_code == 200
    assert not response.context["has_change_permission"]
    before = Organization.objects.get(pk=tree["community"].pk).name
    client.post(f"{CHANGELIST}{tree['community'].pk}/change/", {"name": "改名"})
    assert Organization.objects.get(pk=tree["community"].pk).name == before


def test_grid_worker_cannot_enter_the_admin(client, tree):
    client.force_login(UserFactory(role="grid_worker", scope=tree["home"]))
    response = client.get(CHANGELIST)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
