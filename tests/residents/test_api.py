"""/api/v1/residents/: scoped like everything else, masked for every role, full values only through `pii`."""

import dataclasses
import datetime

import pytest
from django.contrib.auth.models import Permission

from accounts.models import PIIAccessLog, Role
from residents.models import ResidenceHistory, ResidenceStatus, Resident
from tests.accounts.factories import UserFactory
from tests.grids.factories import BuildingFactory, HouseholdFactory, grid_under, grid_worker_for
from tests.orgs.factories import make_id_number
from tests.residents.factories import CareTagFactory, ResidentFactory
from tests.scoped_api import SCOPED_API_CHECKS, Cast, ScopedApi, check_name, client_as

FULL_ID = "342524198005170012"  # a valid ID number (checksum), male, born 1980-05-17


def _household_in(org):
    grid = grid_under(org)
    building = grid.buildings.first() or BuildingFactory(grid=grid)
    return building.households.first() or HouseholdFactory(building=building)


def _many_residents(org, count):
    # Several households, buildings and tags, so a missing select_related/prefetch_related shows in the count.
    tags = [CareTagFactory(code="low_income"), CareTagFactory(code="elderly_alone")]
    grid = grid_under(org)
    households = [HouseholdFactory(building=BuildingFactory(grid=grid)) for _ in range(count // 10 + 1)]
    for index in range(count):
        ResidentFactory(household=households[index // 10], tags=tags)


def _payload(org) -> dict:
    return {
        "name": "新居民", "id_number": make_id_number(datetime.date(1990, 3, 2)), "phone": "13700001111",
        "household": _household_in(org).pk, "relation": "spouse", "tags": ["low_income"],
    }  # fmt: skip


RESIDENTS = ScopedApi(
    url="/api/v1/residents/",
    make=lambda org: ResidentFactory(household=_household_in(org)),
    payload=_payload,
    update={"notes": "独居，需关注"},
    make_many=_many_residents,
)


def grid_worker_cast() -> Cast:
    cast = Cast.build()
    return dataclasses.replace(
        cast, owner=grid_worker_for(grid_under(cast.home)), outsider=grid_worker_for(grid_under(cast.sibling))
    )


@pytest.fixture(autouse=True)
def _care_tags(db):
    CareTagFactory(code="low_income", name="低保户")


@pytest.mark.django_db
@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
@pytest.mark.parametrize("cast", [Cast.build, grid_worker_cast], ids=["staff", "grid_worker"])
def test_resident_api_follows_scope(cast, check):
    check(dataclasses.replace(RESIDENTS, build_cast=cast))


def _cast_member(cast: Cast, who: str):
    return getattr(cast, who)


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["owner", "official", "integrator"])
def test_every_role_reads_masked_id_number_and_phone(cast, who):
    resident = ResidentFactory(household=_household_in(cast.home), id_number=FULL_ID, phone="13912345678")
    client = client_as(_cast_member(cast, who))
    listed = client.get(RESIDENTS.url).json()["results"]
    detail = client.get(RESIDENTS.detail(resident)).json()
    for row in (listed[0], detail):
        assert row["id_number"] == "3425**********0012"
        assert row["phone"] == "139****5678"
    assert FULL_ID not in client.get(RESIDENTS.url).content.decode()


@pytest.mark.django_db
def test_grid_worker_reads_masked_values_too():
    cast = grid_worker_cast()
    resident = ResidentFactory(household=_household_in(cast.home), id_number=FULL_ID)
    assert client_as(cast.owner).get(RESIDENTS.detail(resident)).json()["id_number"] == "3425**********0012"


@pytest.mark.django_db
def test_integrator_without_permission_gets_403_from_pii_and_nothing_is_logged(cast):
    resident = ResidentFactory(household=_household_in(cast.home), id_number=FULL_ID)
    response = client_as(cast.integrator).get(f"{RESIDENTS.detail(resident)}pii/")
    assert response.status_code == 403
    assert FULL_ID not in response.content.decode()
    assert not PIIAccessLog.objects.exists()


@pytest.mark.django_db
def test_integrator_with_permission_sees_full_values_and_the_view_is_logged(cast):
    cast.integrator.user_permissions.add(Permission.objects.get(codename="view_full_pii"))
    household = _household_in(cast.home)
    resident = ResidentFactory(household=household, id_number=FULL_ID, phone="13912345678")
    client = client_as(cast.integrator)
    assert client.get(RESIDENTS.detail(resident)).json()["id_number"] == "3425**********0012"

    response = client.get(f"{RESIDENTS.detail(resident)}pii/", REMOTE_ADDR="10.1.2.3")
    assert response.status_code == 200
    assert response.json() == {"id_number": FULL_ID, "phone": "13912345678"}
    log = PIIAccessLog.objects.get()
    assert (log.viewer, log.subject_id, log.organization) == (
        cast.integrator,
        resident.pk,
        household.building.grid.community,
    )
    assert log.subject_type == "residents.resident"
    assert log.ip_address == "10.1.2.3"


@pytest.mark.django_db
def test_outsider_with_permission_gets_404_from_pii():
    cast = grid_worker_cast()
    cast.outsider.user_permissions.add(Permission.objects.get(codename="view_full_pii"))
    resident = ResidentFactory(household=_household_in(cast.home))
    assert client_as(cast.outsider).get(f"{RESIDENTS.detail(resident)}pii/").status_code == 404
    assert not PIIAccessLog.objects.exists()


@pytest.mark.django_db
def test_search_by_pinyin_initials_finds_zhang_san(cast):
    household = _household_in(cast.home)
    zhang = ResidentFactory(household=household, name="张三")
    ResidentFactory(household=household, name="李四")
    ids = RESIDENTS.list_ids(client_as(cast.owner), search="zs")
    assert ids == [zhang.pk]


@pytest.mark.django_db
def test_search_by_phone_fragment_and_name(cast):
    household = _household_in(cast.home)
    wang = ResidentFactory(household=household, name="王小明", phone="13611112222")
    ResidentFactory(household=household, name="李四", phone="13912345678")
    # Issue 9: a fragment the mask hides (the middle of the number) is matched only for PII viewers.
    cast.owner.user_permissions.add(Permission.objects.get(codename="view_full_pii"))
    client = client_as(cast.owner)
    assert RESIDENTS.list_ids(client, search="1111") == [wang.pk]
    assert RESIDENTS.list_ids(client, search="小明") == [wang.pk]


@pytest.mark.django_db
def test_search_does_not_reach_outside_scope():
    cast = grid_worker_cast()
    ResidentFactory(household=_household_in(cast.sibling), name="张三")
    assert RESIDENTS.list_ids(client_as(cast.owner), search="zs") == []


@pytest.mark.django_db
def test_filter_by_tag_code_or_id_and_by_status(cast):
    household = _household_in(cast.home)
    low_income = CareTagFactory(code="low_income")
    tagged = ResidentFactory(household=household, tags=[low_income])
    moved = ResidentFactory(household=household, status=ResidenceStatus.MOVED_OUT)
    client = client_as(cast.owner)
    assert RESIDENTS.list_ids(client, tag="low_income") == [tagged.pk]
    assert RESIDENTS.list_ids(client, tag=str(low_income.pk)) == [tagged.pk]
    assert RESIDENTS.list_ids(client, status="moved_out") == [moved.pk]


@pytest.mark.django_db
def test_filter_by_grid_building_and_household(cast):
    here = ResidentFactory(household=_household_in(cast.home))
    there = ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_under(cast.home))))
    client = client_as(cast.official)
    assert set(RESIDENTS.list_ids(client, grid=grid_under(cast.home).pk)) == {here.pk, there.pk}
    assert RESIDENTS.list_ids(client, building=there.household.building_id) == [there.pk]
    assert RESIDENTS.list_ids(client, household=here.household_id) == [here.pk]


@pytest.mark.django_db
def test_tags_read_back_as_codes_and_accept_ids(cast):
    elderly = CareTagFactory(code="elderly_alone")
    resident = ResidentFactory(household=_household_in(cast.home))
    response = client_as(cast.owner).patch(
        RESIDENTS.detail(resident), {"tags": ["low_income", elderly.pk]}, format="json"
    )
    assert response.status_code == 200, response.content
    assert sorted(response.json()["tags"]) == ["elderly_alone", "low_income"]


@pytest.mark.django_db
def test_unknown_tag_is_a_field_error(cast):
    response = client_as(cast.owner).post(RESIDENTS.url, {**_payload(cast.home), "tags": ["nope"]}, format="json")
    assert response.status_code == 400
    assert "tags" in response.json()


@pytest.mark.django_db
def test_create_derives_gender_and_birth_date_and_writes_residence_history():
    cast = grid_worker_cast()
    payload = {**_payload(cast.home), "id_number": FULL_ID}
    response = client_as(cast.owner).post(RESIDENTS.url, payload, format="json")
    assert response.status_code == 201, response.content
    resident = Resident.objects.get(pk=response.json()["id"])
    assert (resident.gender, resident.birth_date) == ("male", datetime.date(1980, 5, 17))
    assert list(resident.tags.values_list("code", flat=True)) == ["low_income"]
    assert ResidenceHistory.objects.filter(resident=resident, household_id=payload["household"]).count() == 1
    assert response.json()["id_number"] == "3425**********0012"


@pytest.mark.django_db
def test_bad_id_number_is_a_field_error_not_a_500(cast):
    response = client_as(cast.owner).post(
        RESIDENTS.url, {**_payload(cast.home), "id_number": "342524198005170011"}, format="json"
    )
    assert response.status_code == 400
    assert "id_number" in response.json()


@pytest.mark.django_db
def test_duplicate_active_id_number_is_refused(cast):
    ResidentFactory(household=_household_in(cast.home), id_number=FULL_ID)
    response = client_as(cast.owner).post(RESIDENTS.url, {**_payload(cast.home), "id_number": FULL_ID}, format="json")
    assert response.status_code == 400
    assert response.json() == {"id_number": ["已有在住居民使用此身份证号。"]}
    assert Resident.objects.filter(id_number=FULL_ID).count() == 1


@pytest.mark.django_db
def test_id_number_of_a_moved_out_resident_can_be_registered_again(cast):
    ResidentFactory(household=_household_in(cast.home), id_number=FULL_ID, status=ResidenceStatus.MOVED_OUT)
    response = client_as(cast.owner).post(RESIDENTS.url, {**_payload(cast.home), "id_number": FULL_ID}, format="json")
    assert response.status_code == 201, response.content


@pytest.mark.django_db
def test_moving_a_resident_keeps_their_history():
    cast = grid_worker_cast()
    old = _household_in(cast.home)
    new = HouseholdFactory(building=old.building)
    created = client_as(cast.owner).post(RESIDENTS.url, {**_payload(cast.home), "household": old.pk}, format="json")
    resident_id = created.json()["id"]

    response = client_as(cast.owner).post(f"{RESIDENTS.url}{resident_id}/move/", {"household": new.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["household"] == new.pk
    history = list(ResidenceHistory.objects.filter(resident_id=resident_id).order_by("pk"))
    assert [(h.household_id, h.moved_out_on is None) for h in history] == [(old.pk, False), (new.pk, True)]


@pytest.mark.django_db
def test_grid_worker_cannot_move_a_resident_into_another_grid():
    cast = grid_worker_cast()
    resident = ResidentFactory(household=_household_in(cast.home))
    response = client_as(cast.owner).post(
        f"{RESIDENTS.detail(resident)}move/", {"household": _household_in(cast.sibling).pk}, format="json"
    )
    assert response.status_code == 400
    assert "household" in response.json()
    resident.refresh_from_db()
    assert resident.household == _household_in(cast.home)


@pytest.mark.django_db
def test_official_cannot_move_residents(cast):
    resident = ResidentFactory(household=_household_in(cast.home))
    new = HouseholdFactory(building=resident.household.building)
    response = client_as(cast.official).post(f"{RESIDENTS.detail(resident)}move/", {"household": new.pk})
    assert response.status_code == 403


@pytest.mark.django_db
def test_move_into_the_same_household_is_a_field_error(cast):
    resident = ResidentFactory(household=_household_in(cast.home))
    response = client_as(cast.owner).post(
        f"{RESIDENTS.detail(resident)}move/", {"household": resident.household_id}, format="json"
    )
    assert response.status_code == 400
    assert "household" in response.json()


@pytest.mark.django_db
def test_household_cannot_be_changed_by_update_only_by_move(cast):
    resident = ResidentFactory(household=_household_in(cast.home))
    other = HouseholdFactory(building=resident.household.building)
    client_as(cast.owner).patch(RESIDENTS.detail(resident), {"household": other.pk}, format="json")
    resident.refresh_from_db()
    assert resident.household_id != other.pk


@pytest.mark.django_db
def test_staff_of_one_community_do_not_see_another_communitys_residents(cast):
    mine = ResidentFactory(household=_household_in(cast.home))
    staff = UserFactory(role=Role.STAFF, scope=grid_under(cast.home).community)
    theirs = ResidentFactory()  # a household in a grid of an unrelated community
    ids = RESIDENTS.list_ids(client_as(staff))
    assert mine.pk in ids
    assert theirs.pk not in ids
