"""Issue 9: no full ID number or phone in any edit form or admin page without the permission, searches by a full
number only for those who may see it, and the CSP, Permissions-Policy and no-store headers."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.test import Client, RequestFactory

from accounts.models import PIIAccessLog, Role
from core.forms import MaskedPIIField
from core.masking import mask_id_number, pii_masker_for
from grids.forms import HouseholdForm
from residents.forms import ResidentForm
from residents.models import Resident
from tests.accounts.factories import UserFactory
from tests.grids.factories import BuildingFactory, GridFactory, GridRoleFactory, HouseholdFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory, PartyMemberFactory, make_id_number
from tests.residents.factories import ResidentFactory
from tests.scoped_api import client_as

pytestmark = pytest.mark.django_db

FULL_ID = make_id_number()
FULL_PHONE = "13955501234"
HOUSE_PHONE = "13811112222"


@pytest.fixture
def people():
    from orgs.rules import Level

    community = OrganizationFactory(level=Level.COMMUNITY)
    grid = GridFactory(community=community)
    household = HouseholdFactory(building=BuildingFactory(grid=grid), phone=HOUSE_PHONE)
    resident = ResidentFactory(household=household, name="张三", id_number=FULL_ID, phone=FULL_PHONE)
    member = PartyMemberFactory(organization=community, phone="13700001111")
    role = GridRoleFactory(grid=grid, phone="13600002222")
    staff = UserFactory(role=Role.STAFF, scope=community, is_staff=True)
    official = UserFactory(role=Role.OFFICIAL, scope=community, is_staff=True)
    return {"grid": grid, "household": household, "resident": resident, "member": member, "role": role,
            "staff": staff, "official": official, "worker": grid_worker_for(grid)}  # fmt: skip


def _full_values(p) -> list[str]:
    return [FULL_ID, FULL_PHONE, HOUSE_PHONE, p["member"].id_number, p["member"].phone, p["role"].phone]


def _grant(user):
    user.user_permissions.add(Permission.objects.get(codename="view_full_pii"))


def _html(user, url, **params) -> str:
    client = Client()
    client.force_login(user)
    response = client.get(url, params)
    assert response.status_code == 200, url
    return response.content.decode()


def test_no_edit_page_or_admin_change_page_shows_a_full_number_without_the_permission(people):
    p = people
    pages = [
        (p["worker"], f"/grid/residents/{p['resident'].pk}/edit/"),
        (p["staff"], f"/grid/residents/{p['resident'].pk}/edit/"),
        (p["worker"], f"/grid/households/{p['household'].pk}/edit/"),
        (p["staff"], f"/grid/households/{p['household'].pk}/edit/"),
    ]
    for user in (p["staff"], p["official"]):  # the official's change pages are read-only fields
        pages += [
            (user, f"/admin/residents/resident/{p['resident'].pk}/change/"),
            (user, f"/admin/orgs/partymember/{p['member'].pk}/change/"),
            (user, f"/admin/grids/household/{p['household'].pk}/change/"),
            (user, f"/admin/grids/grid/{p['grid'].pk}/change/"),
            (user, f"/admin/grids/building/{p['household'].building.pk}/change/"),
            (user, f"/admin/orgs/organization/{p['member'].organization.pk}/change/"),
            (user, "/admin/grids/gridrole/"),
        ]
    for user, url in pages:
        html = _html(user, url)
        leaked = [value for value in _full_values(p) if value in html]
        assert leaked == [], url
    assert mask_id_number(FULL_ID) in _html(p["worker"], f"/grid/residents/{p['resident'].pk}/edit/")
    assert not PIIAccessLog.objects.exists()


def test_every_admin_form_masks_fields_holding_id_numbers_or_phones(people):
    """A new admin or a new `*_phone` field is masked without anyone remembering to: walk every registered admin."""
    request = RequestFactory().get("/admin/")
    request.user = people["staff"]
    checked = 0
    for model, model_admin in admin.site._registry.items():
        pii = [f.name for f in model._meta.concrete_fields if pii_masker_for(f.name) and not f.choices]
        if not pii or not hasattr(model_admin, "reveals_full_pii"):
            assert not pii, f"{model.__name__} admin does not use core.admin's masked fields"
            continue
        form = model_admin.get_form(request)()
        for name in pii:
            if name in form.fields:
                assert isinstance(form.fields[name], MaskedPIIField), (model.__name__, name)
                checked += 1
    assert checked >= 4


@pytest.mark.parametrize("form_class", [ResidentForm, HouseholdForm])
def test_page_forms_mask_id_numbers_and_phones(form_class):
    for name, field in form_class().fields.items():
        if pii_masker_for(name):
            assert isinstance(field, MaskedPIIField), name


def _post_resident(user, resident, **changes):
    client = Client()
    client.force_login(user)
    data = {"name": resident.name, "id_number": mask_id_number(FULL_ID), "phone": "139****1234",
            "relation": resident.relation, "status": resident.status, "gender": resident.gender,
            "birth_date": resident.birth_date.isoformat(), "ethnicity": resident.ethnicity,
            "political_status": resident.political_status, "notes": ""} | changes  # fmt: skip
    return client.post(f"/grid/residents/{resident.pk}/edit/", data)


def test_unchanged_masked_values_keep_the_stored_numbers(people):
    response = _post_resident(people["worker"], people["resident"])
    assert response.status_code == 302
    people["resident"].refresh_from_db()
    assert (people["resident"].id_number, people["resident"].phone) == (FULL_ID, FULL_PHONE)


def test_a_new_full_number_replaces_the_stored_one_and_is_validated(people):
    assert _post_resident(people["worker"], people["resident"], phone="13612345678").status_code == 302
    assert Resident.objects.get().phone == "13612345678"
    response = _post_resident(people["worker"], people["resident"], id_number="3425**********9999")
    assert response.status_code == 200 and "id_number" in response.context["form"].errors
    assert Resident.objects.get().id_number == FULL_ID


def test_permitted_user_sees_full_values_in_the_resident_admin_only_with_a_log(people):
    _grant(people["staff"])
    html = _html(people["staff"], f"/admin/residents/resident/{people['resident'].pk}/change/")
    assert FULL_ID in html
    assert PIIAccessLog.objects.get().viewer == people["staff"]


@pytest.mark.parametrize("term", [FULL_ID, FULL_PHONE, "1980051700"])
def test_full_number_search_confirms_nothing_without_the_permission(people, term):
    worker, staff = people["worker"], people["staff"]
    assert "张三" not in _html(worker, "/grid/search/", q=term)
    assert "张三" not in _html(staff, "/admin/residents/resident/", q=term)
    assert client_as(staff).get("/api/v1/residents/", {"search": term}).json()["count"] == 0


@pytest.mark.parametrize("term", [FULL_ID, FULL_PHONE])
def test_full_number_search_finds_the_person_with_the_permission(people, term):
    worker, staff = people["worker"], people["staff"]
    _grant(worker)
    _grant(staff)
    assert "张三" in _html(worker, "/grid/search/", q=term)
    assert "张三" in _html(staff, "/admin/residents/resident/", q=term)
    assert client_as(staff).get("/api/v1/residents/", {"search": term}).json()["count"] == 1


def test_name_initials_and_the_masks_last_four_still_find_people(people):
    assert "张三" in _html(people["worker"], "/grid/search/", q="zs")
    assert "张三" in _html(people["worker"], "/grid/search/", q="1234")


def test_api_search_filter_drops_pii_fields_without_the_permission(people):
    from core.api.filters import PIISearchFilter

    class View:
        search_fields = ["name", "=phone", "member__id_number"]

    request = RequestFactory().get("/", {"search": FULL_PHONE})
    request.user = people["staff"]
    assert PIISearchFilter().get_search_fields(View, request) == ["name"]
    _grant(people["staff"])
    request.user = type(people["staff"]).objects.get(pk=people["staff"].pk)
    assert PIISearchFilter().get_search_fields(View, request) == View.search_fields


def test_pages_carry_csp_and_permissions_policy(people):
    client = Client()
    for url in ("/accounts/login/", "/api/docs/"):
        response = client.get(url)
        csp = response["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp
        assert "unsafe-inline" not in csp.split("script-src")[1].split(";")[0]
        assert "camera=()" in response["Permissions-Policy"] and "geolocation=()" in response["Permissions-Policy"]
    assert "style-src 'self';" in client.get("/accounts/login/")["Content-Security-Policy"] + ";"


def test_signed_in_responses_are_no_store_public_ones_are_not(people):
    page = Client()
    page.force_login(people["worker"])
    assert "no-store" in page.get(f"/grid/residents/{people['resident'].pk}/")["Cache-Control"]
    assert "no-store" in client_as(people["staff"]).get("/api/v1/residents/")["Cache-Control"]
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=people["staff"])
    api = Client(headers={"Authorization": f"Token {token.key}"})
    assert "no-store" in api.get("/api/v1/residents/")["Cache-Control"]
    assert "no-store" not in Client().get("/catalogue/").get("Cache-Control", "")


def _flat_field_names(fieldsets) -> list[str]:
    names = []
    for _title, opts in fieldsets:
        for entry in opts["fields"]:
            names.extend([entry] if isinstance(entry, str) else entry)
    return names


def test_every_admin_change_page_shows_each_field_once_whoever_reads_it(people):
    """The resident page showed the ID number and the phone twice to officials (a field and its masked twin)."""
    holder = UserFactory(role=Role.STAFF, scope=people["grid"].community, is_staff=True)
    _grant(holder)
    objects = {Resident: people["resident"], type(people["household"]): people["household"]}
    objects[type(people["member"])] = people["member"]
    for user in (people["staff"], people["official"], holder):
        request = RequestFactory().get("/admin/")
        request.user = user
        for model, model_admin in admin.site._registry.items():
            if not hasattr(model_admin, "reveals_full_pii"):
                continue
            obj = objects.get(model) or model._default_manager.first()
            names = _flat_field_names(model_admin.get_fieldsets(request, obj))
            shown = [name.removeprefix("masked_") for name in names]
            assert len(shown) == len(set(shown)), f"{model.__name__} for {user.role}: {names}"


def test_official_sees_the_resident_id_number_once_on_the_change_page(people):
    html = _html(people["official"], f"/admin/residents/resident/{people['resident'].pk}/change/")
    assert html.count(mask_id_number(FULL_ID)) == 1
