"""The grid and resident admin: staff see only their community, ID numbers masked unless permitted (then logged)."""

import pytest
from django.contrib.auth.models import Permission

from accounts.models import PIIAccessLog, Role
from grids.models import GridLevel
from residents.models import ResidenceHistory, Resident
from tests.accounts.factories import UserFactory
from tests.grids.factories import (
    BuildingFactory,
    GridFactory,
    HouseholdFactory,
    VisitFactory,
    community_under,
    grid_under,
)
from tests.orgs.factories import OrganizationFactory
from tests.residents.factories import ResidentFactory

pytestmark = pytest.mark.django_db

FULL_ID = "342524198005170012"
MASKED_ID = "3425**********0012"
RESIDENTS = "/admin/residents/resident/"


@pytest.fixture
def community_staff(cast):
    return UserFactory(role=Role.STAFF, scope=community_under(cast.home))


def _resident_in(org, **fields):
    grid = grid_under(org)
    return ResidentFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid)), **fields)


def test_community_staff_see_only_their_residents_with_masked_id(client, cast, community_staff):
    mine = _resident_in(cast.home, name="张三", id_number=FULL_ID, phone="13912345678")
    theirs = _resident_in(cast.sibling, name="李四")
    client.force_login(community_staff)
    response = client.get(RESIDENTS)
    assert response.status_code == 200
    assert list(response.context["cl"].result_list) == [mine]
    html = response.content.decode()
    assert MASKED_ID in html and "139****5678" in html
    assert FULL_ID not in html and "13912345678" not in html
    assert theirs.name not in html


def test_resident_admin_search_by_pinyin_initials(client, cast, community_staff):
    zhang = _resident_in(cast.home, name="张三")
    _resident_in(cast.home, name="李四")
    client.force_login(community_staff)
    response = client.get(RESIDENTS, {"q": "zs"})
    assert list(response.context["cl"].result_list) == [zhang]


def test_other_communitys_resident_change_page_is_not_found(client, cast, community_staff):
    theirs = _resident_in(cast.sibling)
    client.force_login(community_staff)
    response = client.get(f"{RESIDENTS}{theirs.pk}/change/")
    assert response.status_code == 302  # the admin's "does not exist" redirect to the index
    assert not PIIAccessLog.objects.exists()


def test_change_page_masks_id_without_permission(client, cast, community_staff):
    resident = _resident_in(cast.home, id_number=FULL_ID)
    client.force_login(community_staff)
    response = client.get(f"{RESIDENTS}{resident.pk}/change/")
    assert response.status_code == 200
    html = response.content.decode()
    assert MASKED_ID in html
    assert FULL_ID not in html
    assert not PIIAccessLog.objects.exists()


def test_change_page_shows_full_id_with_permission_and_logs_it(client, cast, community_staff):
    community_staff.user_permissions.add(Permission.objects.get(codename="view_full_pii"))
    resident = _resident_in(cast.home, id_number=FULL_ID)
    client.force_login(community_staff)
    response = client.get(f"{RESIDENTS}{resident.pk}/change/")
    assert FULL_ID in response.content.decode()
    log = PIIAccessLog.objects.get()
    assert (log.viewer, log.subject_id, log.organization) == (community_staff, resident.pk, community_under(cast.home))


def test_adding_a_resident_in_the_admin_writes_residence_history(client, cast, community_staff):
    household = HouseholdFactory(building=BuildingFactory(grid=grid_under(cast.home)))
    client.force_login(community_staff)
    response = client.post(
        f"{RESIDENTS}add/",
        {
            "name": "王五", "id_number": FULL_ID, "phone": "13712345678", "household": household.pk,
            "relation": "head", "status": "registered", "ethnicity": "汉族", "political_status": "masses",
            "history-TOTAL_FORMS": "0", "history-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 302, response.context["adminform"].form.errors if response.context else ""
    resident = Resident.objects.get(name="王五")
    assert resident.gender == "male"
    assert ResidenceHistory.objects.filter(resident=resident, household=household).exists()


def test_staff_cannot_add_a_resident_to_another_communitys_household(client, cast, community_staff):
    household = HouseholdFactory(building=BuildingFactory(grid=grid_under(cast.sibling)))
    client.force_login(community_staff)
    response = client.post(
        f"{RESIDENTS}add/",
        {
            "name": "王五", "id_number": FULL_ID, "household": household.pk, "relation": "head",
            "status": "registered", "political_status": "masses",
            "history-TOTAL_FORMS": "0", "history-INITIAL_FORMS": "0",
        },
    )  # fmt: skip
    assert response.status_code == 200
    assert "household" in response.context["adminform"].form.errors
    assert not Resident.objects.filter(name="王五").exists()


def test_grid_admin_lists_only_in_scope_grids(client, cast, community_staff):
    mine = grid_under(cast.home)
    child = GridFactory(community=mine.community, parent=mine, grid_level=GridLevel.THIRD)
    other = GridFactory(community=OrganizationFactory(level="community", parent=cast.home))
    client.force_login(community_staff)
    response = client.get("/admin/grids/grid/")
    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {mine, child}
    assert other.name not in response.content.decode()


def test_household_admin_masks_phone_and_lists_residents_masked(client, cast, community_staff):
    resident = _resident_in(cast.home, id_number=FULL_ID)
    household = resident.household
    household.phone = "13812349999"
    household.save()
    client.force_login(community_staff)
    listing = client.get("/admin/grids/household/").content.decode()
    assert "138****9999" in listing and "13812349999" not in listing
    page = client.get(f"/admin/grids/household/{household.pk}/change/").content.decode()
    assert MASKED_ID in page and FULL_ID not in page


def test_building_household_and_visit_admin_pages_open(client, cast, community_staff):
    visit = VisitFactory(household=HouseholdFactory(building=BuildingFactory(grid=grid_under(cast.home))))
    client.force_login(community_staff)
    for url in (
        f"/admin/grids/building/{visit.household.building_id}/change/",
        f"/admin/grids/visit/{visit.pk}/change/",
        "/admin/grids/gridrole/",
        "/admin/residents/residencehistory/",
        "/admin/residents/caretag/",
    ):
        assert client.get(url).status_code == 200, url


def test_official_reads_residents_but_cannot_add(client, cast):
    _resident_in(cast.home)
    client.force_login(cast.official)
    assert client.get(RESIDENTS).status_code == 200
    assert client.get(f"{RESIDENTS}add/").status_code == 403


def test_grid_workers_are_not_admin_users(client, cast):
    from tests.grids.factories import grid_worker_for

    client.force_login(grid_worker_for(grid_under(cast.home)))
    response = client.get(RESIDENTS)
    assert response.status_code == 302
    assert "/admin/login/" in response["Location"]
