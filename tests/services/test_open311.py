"""Open311 GeoReport v2 against the spec's field names: services, definitions, requests (GET/POST), tokens."""

import datetime
import re

import pytest
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from accounts.models import Role
from orgs.rules import Level
from services.models import Channel, Ticket, TicketStatus
from services.services import ticket_transition
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db

BASE = "/open311/v2/"
SERVICE_FIELDS = {"service_code", "service_name", "description", "metadata", "type", "keywords", "group"}
REQUEST_FIELDS = {
    "service_request_id", "status", "status_notes", "service_name", "service_code", "description",
    "agency_responsible", "service_notice", "requested_datetime", "updated_datetime", "expected_datetime", "address",
    "address_id", "zipcode", "lat", "long", "media_url",
}  # fmt: skip
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d[+-]\d\d:\d\d$")


@pytest.fixture
def place():
    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street, code="XJ-001")
    return {"street": street, "community": community, "item": ServiceItemFactory(code="HJ-01", name="环境卫生")}


def _key(user) -> str:
    return Token.objects.create(user=user).key


def _assert_error(response, status: int):
    assert response.status_code == status, response.content
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == status and body[0]["description"]


def test_services_list_has_the_georeport_fields_and_only_public_active_items(place):
    ServiceItemFactory(code="HIDDEN", is_public=False)
    ServiceItemFactory(code="OFF", is_active=False)
    response = APIClient().get(f"{BASE}services.json")
    assert response.status_code == 200
    rows = response.json()
    assert [row["service_code"] for row in rows] == ["HJ-01"]
    assert set(rows[0]) == SERVICE_FIELDS
    assert rows[0]["metadata"] is False and rows[0]["type"] == "realtime"
    assert rows[0]["service_name"] == "环境卫生"


def test_service_definition_and_unknown_code(place):
    response = APIClient().get(f"{BASE}services/HJ-01.json")
    assert response.status_code == 200
    assert response.json() == {"service_code": "HJ-01", "attributes": []}
    _assert_error(APIClient().get(f"{BASE}services/NOPE.json"), 404)


def test_xml_is_refused_as_a_georeport_error(place):
    _assert_error(APIClient().get(f"{BASE}services.xml"), 400)


def test_post_with_a_community_scoped_key_files_an_open311_ticket(place):
    user = UserFactory(role=Role.INTEGRATOR, scope=place["community"])
    response = APIClient().post(
        f"{BASE}requests.json",
        {
            "api_key": _key(user), "service_code": "HJ-01", "lat": "30.633123", "long": "118.983456",
            "description": "垃圾未清运", "first_name": "三", "last_name": "张", "phone": "13912345678",
            "jurisdiction_id": "ningguo",
        },
    )  # fmt: skip
    assert response.status_code == 201, response.content
    (row,) = response.json()
    assert set(row) == {"service_request_id", "service_notice", "account_id"}
    ticket = Ticket.objects.get(reference=row["service_request_id"])
    assert ticket.channel == Channel.OPEN311
    assert ticket.community == place["community"]
    assert ticket.reporter_name == "张三" and str(ticket.latitude) == "30.633123"


def test_post_json_with_community_code_attribute_for_a_street_key(place):
    user = UserFactory(role=Role.INTEGRATOR, scope=place["street"])
    body = {
        "api_key": _key(user), "service_code": "HJ-01", "address_string": "西津街道1号", "description": "路灯坏了",
        "email": "a@example.com", "attribute": {"community_code": "XJ-001"},
    }  # fmt: skip
    response = APIClient().post(f"{BASE}requests.json", body, format="json")
    assert response.status_code == 201, response.content
    ticket = Ticket.objects.get(reference=response.json()[0]["service_request_id"])
    assert ticket.community == place["community"] and ticket.address == "西津街道1号"


def test_post_form_attribute_bracket_syntax(place):
    user = UserFactory(role=Role.STAFF, scope=place["street"])
    body = {
        "api_key": _key(user), "service_code": "HJ-01", "address_string": "西津街道2号", "description": "噪音",
        "attribute[community_code]": "XJ-001",
    }  # fmt: skip
    response = APIClient().post(f"{BASE}requests.json", body)
    assert response.status_code == 201, response.content


def test_post_refusals_are_georeport_errors_and_file_nothing(place):
    user = UserFactory(role=Role.INTEGRATOR, scope=place["street"])
    key = _key(user)
    good = {"api_key": key, "service_code": "HJ-01", "address_string": "x", "description": "d"}
    sibling = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET), code="Z-9")
    client = APIClient()
    _assert_error(client.post(f"{BASE}requests.json", {**good, "api_key": ""}), 400)
    _assert_error(client.post(f"{BASE}requests.json", {**good, "api_key": "wrong"}), 403)
    _assert_error(client.post(f"{BASE}requests.json", good), 400)  # a street key needs a community_code
    _assert_error(client.post(f"{BASE}requests.json", {**good, "attribute[community_code]": sibling.code}), 400)
    with_community = {**good, "attribute[community_code]": "XJ-001"}
    _assert_error(client.post(f"{BASE}requests.json", {**with_community, "service_code": "NOPE"}), 404)
    _assert_error(client.post(f"{BASE}requests.json", {**with_community, "address_string": ""}), 400)
    _assert_error(client.post(f"{BASE}requests.json", {**with_community, "description": ""}), 400)
    response = client.post(f"{BASE}requests.json", {**with_community, "lat": "91", "long": "10"})
    _assert_error(response, 400)
    assert "lat" in response.json()[0]["description"]
    official = UserFactory(role=Role.OFFICIAL, scope=place["street"])
    _assert_error(client.post(f"{BASE}requests.json", {**with_community, "api_key": _key(official)}), 403)
    assert not Ticket.objects.exists()


def test_request_detail_maps_states_and_uses_offsets(place):
    staff = UserFactory(role=Role.STAFF, scope=place["street"])
    ticket = TicketFactory(community=place["community"], service_item=place["item"])
    ticket_transition(ticket=ticket, action="reject", by=staff, note="请联系物业", referral="物业公司")
    response = APIClient().get(f"{BASE}requests/{ticket.reference}.json", {"api_key": _key(staff)})
    assert response.status_code == 200
    (row,) = response.json()
    assert set(row) == REQUEST_FIELDS
    assert row["service_request_id"] == ticket.reference
    assert row["status"] == "closed"
    assert row["status_notes"] == "请联系物业"
    assert row["agency_responsible"] == place["community"].name
    assert row["service_code"] == "HJ-01"
    for field in ("requested_datetime", "updated_datetime", "expected_datetime"):
        assert ISO_WITH_OFFSET.match(row[field]), row[field]
    assert row["description"] == ticket.description


def test_anonymous_readers_get_no_description_or_notes(place):
    staff = UserFactory(role=Role.STAFF, scope=place["street"])
    ticket = TicketFactory(community=place["community"], service_item=place["item"], address="某小区3栋")
    ticket_transition(ticket=ticket, action="accept", by=staff, note="张三家门口")
    (row,) = APIClient().get(f"{BASE}requests/{ticket.reference}.json").json()
    assert row["status"] == "open"
    assert row["description"] == "" and row["address"] == "" and row["status_notes"] == ""


def test_unknown_request_and_token_are_404(place):
    _assert_error(APIClient().get(f"{BASE}requests/NG-19990101-0001.json"), 404)
    _assert_error(APIClient().get(f"{BASE}tokens/NG-19990101-0001.json"), 404)


def test_token_is_the_reference(place):
    ticket = TicketFactory(community=place["community"], service_item=place["item"])
    response = APIClient().get(f"{BASE}tokens/{ticket.reference}.json")
    assert response.json() == [{"service_request_id": ticket.reference, "token": ticket.reference}]


def test_requests_list_filters(place):
    staff = UserFactory(role=Role.STAFF, scope=place["street"])
    other_item = ServiceItemFactory(code="AQ-01")
    first = TicketFactory(community=place["community"], service_item=place["item"])
    second = TicketFactory(community=place["community"], service_item=other_item)
    old = TicketFactory(community=place["community"], service_item=place["item"])
    Ticket.objects.filter(pk=old.pk).update(created_at=timezone.now() - datetime.timedelta(days=120))
    Ticket.objects.filter(pk=second.pk).update(status=TicketStatus.CLOSED)
    client = APIClient()

    def refs(**params):
        response = client.get(f"{BASE}requests.json", params)
        assert response.status_code == 200, response.content
        return {row["service_request_id"] for row in response.json()}

    assert refs() == {first.reference, second.reference}  # the last 90 days by default
    assert refs(service_code="AQ-01") == {second.reference}
    assert refs(status="open") == {first.reference}
    assert refs(status="closed") == {second.reference}
    assert refs(service_request_id=f"{old.reference},{first.reference}") == {old.reference, first.reference}
    start = (timezone.now() - datetime.timedelta(days=130)).isoformat()
    end = (timezone.now() - datetime.timedelta(days=100)).isoformat()
    assert refs(start_date=start, end_date=end) == {old.reference}
    assert refs(api_key=_key(staff), service_code="HJ-01") == {first.reference}


def test_requests_list_bad_parameters_are_400(place):
    client = APIClient()
    _assert_error(client.get(f"{BASE}requests.json", {"start_date": "yesterday"}), 400)
    _assert_error(client.get(f"{BASE}requests.json", {"status": "pending"}), 400)
    start = (timezone.now() - datetime.timedelta(days=200)).isoformat()
    _assert_error(client.get(f"{BASE}requests.json", {"start_date": start}), 400)


def test_requests_list_with_a_key_sees_only_its_scope(place):
    elsewhere = TicketFactory(service_item=place["item"])
    mine = TicketFactory(community=place["community"], service_item=place["item"])
    key = _key(UserFactory(role=Role.INTEGRATOR, scope=place["street"]))
    rows = APIClient().get(f"{BASE}requests.json", {"api_key": key}).json()
    assert [row["service_request_id"] for row in rows] == [mine.reference]
    assert elsewhere.reference not in {row["service_request_id"] for row in rows}


def test_requests_list_queries_do_not_grow_with_rows(place, django_assert_max_num_queries):
    for _ in range(3):
        TicketFactory(community=place["community"], service_item=place["item"])
    with django_assert_max_num_queries(3) as few:
        APIClient().get(f"{BASE}requests.json")
    for _ in range(12):
        TicketFactory(community=place["community"], service_item=place["item"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(APIClient().get(f"{BASE}requests.json").json()) == 15
