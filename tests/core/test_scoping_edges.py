"""Issue 9, "scoping without edges": nested rows, ids in actions and filters, accounts, scope computed once."""

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Permission
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from tests.accounts.factories import UserFactory
from tests.cobuilding.factories import WhistleCallFactory, WhistleFactory, liaison_for
from tests.cobuilding.test_api import unit_in
from tests.grids.factories import community_under, grid_under, grid_worker_for
from tests.orgs.factories import PartyMemberFactory
from tests.residents.factories import ResidentFactory
from tests.scoped_api import client_as
from tests.services.factories import MicroWishFactory, ServiceItemFactory

pytestmark = pytest.mark.django_db

# Queries of a grid worker's resident list (/api/v1/residents/): 9 before scope_nodes() was computed once per
# request (6 of them the same read of their grids), 4 after: session/auth-free API client, count, page, tags.
GRID_WORKER_RESIDENT_LIST_QUERIES = 4
WORKED_GRIDS = 'INNER JOIN "grids_gridrole"'  # the read of a grid worker's grids (grids.scope.worked_grids)


def test_unit_liaison_reading_a_whistle_sees_only_the_call_to_their_unit(cast):
    community = community_under(cast.home)
    whistle = WhistleFactory(community=community)
    own = WhistleCallFactory(whistle=whistle, unit=unit_in(cast.home))
    other = WhistleCallFactory(whistle=whistle, response="他单位的答复")
    liaison = liaison_for(own.unit)
    response = client_as(liaison).get(f"/api/v1/whistles/{whistle.pk}/")
    assert response.status_code == 200, response.content
    assert [call["id"] for call in response.json()["calls"]] == [own.pk]
    assert client_as(liaison).get(f"/api/v1/whistle-calls/{other.pk}/").status_code == 404
    # The community side still sees every call of its whistle.
    staff_calls = client_as(cast.owner).get(f"/api/v1/whistles/{whistle.pk}/").json()["calls"]
    assert {call["id"] for call in staff_calls} == {own.pk, other.pk}


def test_claiming_a_wish_for_a_member_of_another_street_answers_like_a_nonexistent_member(cast):
    wish = MicroWishFactory(resident=ResidentFactory(household__building__grid=grid_under(cast.home)))
    elsewhere = PartyMemberFactory(organization=cast.sibling, name="外街党员")
    client = client_as(cast.owner)
    outside = client.post(f"/api/v1/wishes/{wish.pk}/claim/", {"member": elsewhere.pk}, format="json")
    missing = client.post(f"/api/v1/wishes/{wish.pk}/claim/", {"member": 2**31 - 1}, format="json")
    assert outside.status_code == missing.status_code == 400
    assert str(outside.json()).replace(str(elsewhere.pk), "#") == str(missing.json()).replace(str(2**31 - 1), "#")
    assert "外街党员" not in outside.content.decode()
    wish.refresh_from_db()
    assert wish.claimed_by_member_id is None


def test_users_filter_by_another_scope_answers_like_a_nonexistent_scope(cast):
    client = client_as(cast.owner)
    outside, missing = (
        client.get("/api/v1/users/", {"scope": cast.sibling.pk}),
        client.get("/api/v1/users/", {"scope": 2**31 - 1}),
    )
    assert outside.status_code == missing.status_code == 400


def test_users_list_masks_phones(cast):
    UserFactory(role=Role.GRID_WORKER, scope=cast.home, phone="13912345678")
    rows = client_as(cast.owner).get("/api/v1/users/", {"page_size": 200}).json()["results"]
    phones = [row["phone"] for row in rows if row["phone"]]
    assert phones and all("****" in phone for phone in phones)
    assert "13912345678" not in str(rows)


@pytest.mark.parametrize("who", ["official", "integrator"])
def test_only_staff_list_accounts_everyone_reads_their_own(cast, who):
    user = getattr(cast, who)
    assert client_as(user).get("/api/v1/users/").status_code == 403
    assert client_as(user).get(f"/api/v1/users/{cast.owner.pk}/").status_code == 403
    me = client_as(user).get("/api/v1/users/me/")
    assert me.status_code == 200 and me.json()["id"] == user.pk


def test_grid_worker_cannot_list_accounts(cast):
    worker = grid_worker_for(grid_under(cast.home))
    assert client_as(worker).get("/api/v1/users/").status_code == 403


def test_staff_cannot_set_the_password_of_a_peer_holding_a_permission_they_lack(cast):
    peer = UserFactory(role=Role.STAFF, scope=cast.home)
    peer.user_permissions.add(Permission.objects.get(codename="view_full_pii"))
    response = client_as(cast.owner).patch(
        f"/api/v1/users/{peer.pk}/", {"password": "Tongxin-yuan-2024"}, format="json"
    )
    assert response.status_code == 403, response.content
    peer.refresh_from_db()
    assert not peer.check_password("Tongxin-yuan-2024")


def test_setting_another_users_password_is_logged_in_the_admin_history(cast):
    worker = UserFactory(role=Role.GRID_WORKER, scope=cast.home)
    response = client_as(cast.owner).patch(
        f"/api/v1/users/{worker.pk}/", {"password": "Tongxin-yuan-2024"}, format="json"
    )
    assert response.status_code == 200, response.content
    entry = LogEntry.objects.get(object_id=str(worker.pk))
    assert entry.user_id == cast.owner.pk
    assert "密码" in entry.get_change_message()


def test_admin_refuses_a_password_form_for_an_account_with_more_powers(cast):
    peer = UserFactory(role=Role.STAFF, scope=cast.home, is_superuser=True)
    client = Client()
    client.force_login(cast.owner)
    assert client.get(f"/admin/accounts/user/{peer.pk}/password/").status_code == 403


def test_grid_worker_files_a_ticket_for_their_grid_through_the_api(cast):
    grid = grid_under(cast.home)
    worker = grid_worker_for(grid)
    body = {
        "service_item": ServiceItemFactory().pk, "community": grid.community_id, "grid": grid.pk,
        "description": "楼道堆物", "reporter_name": "张三", "reporter_phone": "13912345678",
    }  # fmt: skip
    response = client_as(worker).post("/api/v1/tickets/", body, format="json")
    assert response.status_code == 201, response.content
    assert response.json()["grid"] == grid.pk
    # Without one of their grids the community is not theirs to name, as on the phone page.
    no_grid = client_as(worker).post("/api/v1/tickets/", {**body, "grid": None}, format="json")
    assert no_grid.status_code == 400 and "grid" in no_grid.json()
    other = grid_under(cast.sibling)
    elsewhere = client_as(worker).post(
        "/api/v1/tickets/", {**body, "community": other.community_id, "grid": other.pk}, format="json"
    )
    assert elsewhere.status_code == 400


def _resident_list_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_grid_worker_resident_list_reads_their_grids_once(cast):
    grid = grid_under(cast.home)
    worker = grid_worker_for(grid)
    for _ in range(3):
        ResidentFactory(household__building__grid=grid)
    assert _resident_list_queries(client_as(worker), "/api/v1/residents/") == GRID_WORKER_RESIDENT_LIST_QUERIES
    grid_reads = [q for q in _captured(client_as(worker), "/api/v1/residents/") if WORKED_GRIDS in q]
    assert len(grid_reads) == 1, grid_reads


def _captured(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as queries:
        client.get(url)
    return [q["sql"] for q in queries]


def test_grid_worker_grid_page_reads_their_grids_once(cast):
    worker = grid_worker_for(grid_under(cast.home))
    client = Client()
    client.force_login(worker)
    reads = [q for q in _captured(client, "/grid/") if WORKED_GRIDS in q]
    assert len(reads) == 1, reads
