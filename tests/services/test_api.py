"""The services API: the catalogue, tickets (intake, transitions, timeline, filters, photos), published lists."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from PIL import Image

from accounts.models import Role
from orgs.rules import Level
from services.models import Channel, ListKind, PublishedListEntry, ServiceItem, Ticket, TicketStatus
from services.tickets.services import ticket_transition
from tests.accounts.factories import UserFactory
from tests.grids.factories import GridFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory
from tests.scoped_api import client_as
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db

TICKETS = "/api/v1/tickets/"
ITEMS = "/api/v1/service-items/"


@pytest.fixture
def world():
    """A district with two streets, each with one community; staff on the home street, an outsider next door."""
    district = OrganizationFactory(level=Level.DISTRICT)
    street = OrganizationFactory(level=Level.STREET, parent=district)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    other_street = OrganizationFactory(level=Level.STREET, parent=district)
    other_community = OrganizationFactory(level=Level.COMMUNITY, parent=other_street)
    return {
        "district": district,
        "street": street,
        "community": community,
        "other_community": other_community,
        "staff": UserFactory(role=Role.STAFF, scope=street),
        "outsider": UserFactory(role=Role.STAFF, scope=other_street),
        "official": UserFactory(role=Role.OFFICIAL, scope=district),
        "item": ServiceItemFactory(),
    }


def _payload(world, **extra):
    return {
        "service_item": world["item"].pk,
        "community": world["community"].pk,
        "description": "楼道灯不亮",
        "reporter_name": "李四",
        "reporter_phone": "13912345678",
    } | extra


def _png(size=(8, 8), name="photo.png") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", size, "red").save(buffer, "PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


# --- intake -------------------------------------------------------------------------------------------------------


def test_anonymous_gets_401_on_tickets(world):
    assert client_as(None).get(TICKETS).status_code == 401
    assert client_as(None).post(TICKETS, _payload(world), format="json").status_code == 401


def test_staff_files_a_ticket_through_the_api_with_channel_api_and_masked_phone(world):
    response = client_as(world["staff"]).post(TICKETS, _payload(world), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    ticket = Ticket.objects.get(pk=body["id"])
    assert ticket.channel == Channel.API
    assert ticket.reporter_phone == "13912345678"
    assert body["reporter_phone"] != "13912345678" and body["reporter_phone"].startswith("139")
    assert body["reference"] == ticket.reference
    assert body["allowed_actions"] == ["accept", "reject"]
    assert list(ticket.events.values_list("kind", flat=True)) == ["reported"]


def test_missing_description_is_a_per_field_400(world):
    response = client_as(world["staff"]).post(TICKETS, _payload(world, description=""), format="json")
    assert response.status_code == 400
    assert "description" in response.json()
    assert not Ticket.objects.exists()


def test_bad_phone_is_a_per_field_400_from_the_model_rule(world):
    response = client_as(world["staff"]).post(TICKETS, _payload(world, reporter_phone="12345"), format="json")
    assert response.status_code == 400
    assert "reporter_phone" in response.json()
    assert not Ticket.objects.exists()


def test_ticket_cannot_be_filed_in_a_community_outside_scope(world):
    payload = _payload(world, community=world["other_community"].pk)
    response = client_as(world["staff"]).post(TICKETS, payload, format="json")
    assert response.status_code == 400
    assert "community" in response.json()
    assert not Ticket.objects.exists()


def test_official_cannot_file_tickets(world):
    assert client_as(world["official"]).post(TICKETS, _payload(world), format="json").status_code == 403


def test_photo_is_stored_with_the_first_event(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    response = client_as(world["staff"]).post(TICKETS, _payload(world, photos=[_png()]), format="multipart")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(pk=response.json()["id"])
    assert ticket.photos.count() == 1
    assert ticket.photos.get().event.kind == "reported"
    assert len(response.json()["photos"]) == 1


def test_a_file_that_is_not_an_image_is_refused_with_a_clear_400(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    fake = SimpleUploadedFile("photo.png", b"not really a picture", content_type="image/png")
    response = client_as(world["staff"]).post(TICKETS, _payload(world, photos=[fake]), format="multipart")
    assert response.status_code == 400
    assert "图片" in str(response.json()["photos"])
    assert not Ticket.objects.exists()


def test_a_photo_over_the_size_limit_is_refused_with_a_clear_400(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.TICKET_PHOTO_MAX_BYTES = 100
    response = client_as(world["staff"]).post(TICKETS, _payload(world, photos=[_png((64, 64))]), format="multipart")
    assert response.status_code == 400
    assert "不能超过" in str(response.json()["photos"])
    assert not Ticket.objects.exists()


# --- transitions --------------------------------------------------------------------------------------------------


def test_accept_makes_the_caller_the_first_contact_owner(world):
    ticket = TicketFactory(community=world["community"])
    response = client_as(world["staff"]).post(f"{TICKETS}{ticket.pk}/accept/", {}, format="json")
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.ACCEPTED and ticket.owner == world["staff"]
    assert response.json()["owner"] == world["staff"].pk


def test_illegal_transition_is_409_and_changes_nothing(world):
    ticket = TicketFactory(community=world["community"])
    response = client_as(world["staff"]).post(f"{TICKETS}{ticket.pk}/close/", {}, format="json")
    assert response.status_code == 409
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPORTED
    assert ticket.events.count() == 1


def test_reject_without_a_reason_is_a_400_on_note(world):
    ticket = TicketFactory(community=world["community"])
    response = client_as(world["staff"]).post(f"{TICKETS}{ticket.pk}/reject/", {"note": " "}, format="json")
    assert response.status_code == 400
    assert "note" in response.json()


def test_dispatch_to_a_grid_worker_then_they_start_and_resolve_with_a_photo(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    grid = GridFactory(community=world["community"])
    worker = grid_worker_for(grid)
    ticket = TicketFactory(community=world["community"], grid=grid)
    staff = client_as(world["staff"])
    assert staff.post(f"{TICKETS}{ticket.pk}/accept/", {}, format="json").status_code == 200
    response = staff.post(f"{TICKETS}{ticket.pk}/dispatch/", {"assignee_user": worker.pk}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["assignee_user"] == worker.pk
    mine = client_as(worker)
    assert mine.post(f"{TICKETS}{ticket.pk}/start/", {}, format="json").status_code == 200
    response = mine.post(f"{TICKETS}{ticket.pk}/resolve/", {"note": "已修好", "photos": [_png()]}, format="multipart")
    assert response.status_code == 200, response.content
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.RESOLVED and ticket.owner == world["staff"]
    assert ticket.photos.get().event.kind == "resolve"


def test_dispatch_without_an_assignee_is_a_400(world):
    ticket = TicketFactory(community=world["community"])
    ticket_transition(ticket=ticket, action="accept", by=world["staff"])
    response = client_as(world["staff"]).post(f"{TICKETS}{ticket.pk}/dispatch/", {}, format="json")
    assert response.status_code == 400
    assert "assignee" in response.json()


def test_official_reads_tickets_but_cannot_move_them(world):
    ticket = TicketFactory(community=world["community"])
    official = client_as(world["official"])
    assert official.get(f"{TICKETS}{ticket.pk}/").status_code == 200
    assert official.post(f"{TICKETS}{ticket.pk}/accept/", {}, format="json").status_code == 403
    ticket.refresh_from_db()
    assert ticket.status == TicketStatus.REPORTED


def test_outsider_gets_404_on_ticket_and_its_actions(world):
    ticket = TicketFactory(community=world["community"])
    outsider = client_as(world["outsider"])
    assert ticket.pk not in [row["id"] for row in outsider.get(TICKETS).json()["results"]]
    assert outsider.get(f"{TICKETS}{ticket.pk}/").status_code == 404
    assert outsider.get(f"{TICKETS}{ticket.pk}/events/").status_code == 404
    assert outsider.post(f"{TICKETS}{ticket.pk}/accept/", {}, format="json").status_code == 404


def test_tickets_are_not_edited_or_deleted_through_the_api(world):
    ticket = TicketFactory(community=world["community"])
    staff = client_as(world["staff"])
    assert staff.patch(f"{TICKETS}{ticket.pk}/", {"description": "改"}, format="json").status_code == 405
    assert staff.delete(f"{TICKETS}{ticket.pk}/").status_code == 405
    assert Ticket.objects.filter(pk=ticket.pk, description=ticket.description).exists()


def test_events_endpoint_is_the_timeline_oldest_first(world):
    ticket = TicketFactory(community=world["community"])
    ticket_transition(ticket=ticket, action="accept", by=world["staff"])
    ticket_transition(ticket=ticket, action="reject", by=world["staff"], note="不属于本社区", referral="区住建局")
    response = client_as(world["staff"]).get(f"{TICKETS}{ticket.pk}/events/")
    assert response.status_code == 200
    rows = response.json()
    assert [row["kind"] for row in rows] == ["reported", "accept", "reject"]
    assert rows[2]["note"] == "不属于本社区" and rows[2]["to_status"] == TicketStatus.REJECTED
    assert rows[1]["actor_name"] == world["staff"].username


# --- filters and query counts -------------------------------------------------------------------------------------


def _ids(client, **params):
    response = client.get(TICKETS, {"page_size": 200, **params})
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


def test_filters_status_mine_overdue_escalated_community_grid(world):
    staff = client_as(world["staff"])
    grid = GridFactory(community=world["community"])
    other_community = OrganizationFactory(level=Level.COMMUNITY, parent=world["street"])
    plain = TicketFactory(community=world["community"])
    in_grid = TicketFactory(community=world["community"], grid=grid)
    elsewhere = TicketFactory(community=other_community)
    owned = TicketFactory(community=world["community"])
    ticket_transition(ticket=owned, action="accept", by=world["staff"])
    past = timezone.now() - datetime.timedelta(hours=1)
    Ticket.objects.filter(pk=plain.pk).update(level_due_at=past)
    Ticket.objects.filter(pk=elsewhere.pk).update(
        escalation_count=1, handling_org=world["street"], status=TicketStatus.CLOSED, level_due_at=past
    )

    assert _ids(staff, status="accepted") == {owned.pk}
    assert _ids(staff, mine="true") == {owned.pk}
    assert _ids(staff, overdue="true") == {plain.pk}  # the closed one is past due but no longer open
    assert _ids(staff, escalated_to_me="true") == {elsewhere.pk}
    assert _ids(staff, community=world["community"].pk) == {plain.pk, in_grid.pk, owned.pk}
    assert _ids(staff, community=world["street"].pk) == {plain.pk, in_grid.pk, owned.pk, elsewhere.pk}
    assert _ids(staff, grid=grid.pk) == {in_grid.pk}
    assert _ids(staff, channel="hotline") == {plain.pk, in_grid.pk, owned.pk, elsewhere.pk}


def test_escalated_to_me_is_empty_for_the_community_below_the_handling_street(world):
    ticket = TicketFactory(community=world["community"])
    Ticket.objects.filter(pk=ticket.pk).update(escalation_count=1, handling_org=world["street"])
    community_staff = UserFactory(role=Role.STAFF, scope=world["community"])
    assert _ids(client_as(community_staff), escalated_to_me="true") == set()
    assert _ids(client_as(world["staff"]), escalated_to_me="true") == {ticket.pk}


def test_ticket_list_runs_the_same_queries_at_two_page_sizes(world, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    grid = GridFactory(community=world["community"])
    for index in range(24):
        TicketFactory(
            community=world["community"], grid=grid if index % 2 else None, photos=[_png()], by=world["staff"]
        )
    client = client_as(world["staff"])
    counts = {}
    for size in (5, 20):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(TICKETS, {"page_size": size})
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[5] == counts[20], counts


# --- the catalogue and the published lists ------------------------------------------------------------------------


def test_every_signed_in_user_reads_the_whole_catalogue(world):
    theirs = ServiceItemFactory(organization=world["other_community"])
    ids = {row["id"] for row in client_as(world["staff"]).get(ITEMS, {"page_size": 200}).json()["results"]}
    assert {world["item"].pk, theirs.pk} <= ids
    assert client_as(None).get(ITEMS).status_code == 401


def test_staff_write_catalogue_items_only_in_their_subtree(world):
    staff = client_as(world["staff"])
    payload = {"code": "MZ-001", "name": "低保申请", "category": "civil_affairs", "organization": world["street"].pk}
    assert staff.post(ITEMS, payload, format="json").status_code == 201
    theirs = ServiceItemFactory(organization=world["other_community"])
    assert staff.patch(f"{ITEMS}{theirs.pk}/", {"name": "改名"}, format="json").status_code == 404
    city_wide = world["item"]
    assert staff.patch(f"{ITEMS}{city_wide.pk}/", {"name": "改名"}, format="json").status_code == 404
    outside = payload | {"code": "MZ-002", "organization": world["other_community"].pk}
    assert staff.post(ITEMS, outside, format="json").status_code == 400
    assert set(ServiceItem.objects.values_list("name", flat=True)) >= {"低保申请"}
    assert not ServiceItem.objects.filter(name="改名").exists()


def test_catalogue_resolution_shorter_than_response_is_a_400_on_the_field(world):
    payload = {
        "code": "MZ-003", "name": "临时救助", "category": "civil_affairs", "organization": world["street"].pk,
        "response_hours": 8, "resolution_hours": 4,
    }  # fmt: skip
    response = client_as(world["staff"]).post(ITEMS, payload, format="json")
    assert response.status_code == 400
    assert "resolution_hours" in response.json()


def test_official_and_grid_worker_cannot_write_the_catalogue(world):
    worker = grid_worker_for(GridFactory(community=world["community"]))
    payload = {"code": "MZ-004", "name": "x", "category": "other", "organization": world["community"].pk}
    assert client_as(world["official"]).post(ITEMS, payload, format="json").status_code == 403
    assert client_as(worker).post(ITEMS, payload, format="json").status_code == 403


def test_published_lists_are_read_only_and_filter_by_kind(world):
    entry = PublishedListEntry.objects.create(kind=ListKind.MICRO_POWER, title="低保审批", organization=None)
    PublishedListEntry.objects.create(kind=ListKind.NEGATIVE_CONDUCT, title="不得推诿", organization=world["street"])
    client = client_as(world["outsider"])
    response = client.get("/api/v1/published-lists/", {"kind": ListKind.MICRO_POWER})
    assert [row["id"] for row in response.json()["results"]] == [entry.pk]
    assert client.post("/api/v1/published-lists/", {"title": "x"}, format="json").status_code == 405
