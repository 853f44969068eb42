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
from services.tickets.services import ticket_transition
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
    # a community outside the key's scope is a 403, and a nonexistent code answers exactly the same
    outside = client.post(f"{BASE}requests.json", {**good, "attribute[community_code]": sibling.code})
    _assert_error(outside, 403)
    nowhere = client.post(f"{BASE}requests.json", {**good, "attribute[community_code]": "NO-SUCH"})
    _assert_error(nowhere, 403)
    assert outside.json()[0]["description"].replace(sibling.code, "") == nowhere.json()[0]["description"].replace(
        "NO-SUCH", ""
    )
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


def test_requests_list_with_a_key_details_only_its_scope(place):
    """A key adds detail inside its scope; a public request elsewhere stays listed, as it is without a key."""
    elsewhere = TicketFactory(service_item=place["item"], description="别处的诉求")
    mine = TicketFactory(community=place["community"], service_item=place["item"], description="本社区的诉求")
    key = _key(UserFactory(role=Role.INTEGRATOR, scope=place["street"]))
    rows = {row["service_request_id"]: row for row in APIClient().get(f"{BASE}requests.json", {"api_key": key}).json()}
    assert set(rows) == {mine.reference, elsewhere.reference}
    assert rows[mine.reference]["description"] == "本社区的诉求"
    assert rows[elsewhere.reference]["description"] == ""
    assert "别处的诉求" not in str(rows)


def test_requests_list_queries_do_not_grow_with_rows(place, django_assert_max_num_queries):
    for _ in range(3):
        TicketFactory(community=place["community"], service_item=place["item"])
    with django_assert_max_num_queries(3) as few:
        APIClient().get(f"{BASE}requests.json")
    for _ in range(12):
        TicketFactory(community=place["community"], service_item=place["item"])
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert len(APIClient().get(f"{BASE}requests.json").json()) == 15


# --- every answer is GeoReport's: unknown paths, methods, discovery, our own failures ------------------------------


@pytest.mark.parametrize(
    "path",
    [
        "/open311/v2/nope", "/open311/v2/requests/", "/open311/v2/services/a/b.json", "/open311/v2/requests.csv",
        "/open311/nothing.json", "/open311/v3/services.json", "/open311/v2/services.json/extra",
    ],
)  # fmt: skip
def test_unknown_paths_under_open311_are_a_georeport_404_for_every_method(place, path):
    client = APIClient()
    for method in ("get", "post", "put", "patch", "delete", "options"):
        response = getattr(client, method)(path)
        _assert_error(response, 404)
        assert response["Content-Type"] == "application/json"


@pytest.mark.parametrize("method", ["put", "patch", "delete", "options"])
def test_methods_an_endpoint_does_not_serve_are_a_georeport_405(place, method):
    for path in ("services.json", "requests.json", "services/HJ-01.json", "discovery.json"):
        _assert_error(getattr(APIClient(), method)(f"{BASE}{path}"), 405)


@pytest.mark.parametrize("path", ["/open311/discovery.json", f"{BASE}discovery.json", BASE])
def test_discovery_names_the_v2_endpoint_in_json(place, path):
    response = APIClient().get(path)
    assert response.status_code == 200 and response["Content-Type"] == "application/json"
    body = response.json()
    assert {"changeset", "contact", "key_service", "endpoints"} <= set(body)
    (endpoint,) = body["endpoints"]
    assert endpoint["url"].endswith(BASE) and endpoint["formats"] == ["application/json"]
    assert endpoint["specification"] == "http://wiki.open311.org/GeoReport_v2"


def test_a_browser_asking_for_html_still_gets_json(place):
    response = APIClient().get(f"{BASE}services.json", HTTP_ACCEPT="text/html,application/xhtml+xml,*/*;q=0.8")
    assert response.status_code == 200 and response["Content-Type"] == "application/json"


def test_an_unexpected_failure_is_a_georeport_500_without_a_traceback(place, monkeypatch):
    def broken():
        raise RuntimeError("database said something secret")

    monkeypatch.setattr("services.open311.views.public_services", broken)
    response = APIClient().get(f"{BASE}services.json")
    _assert_error(response, 500)
    assert "secret" not in response.content.decode() and "Traceback" not in response.content.decode()


# --- bodies of the wrong shape, NUL bytes, bad types, out-of-range, overlong, impossible dates ---------------------


def _post_json(body):
    return APIClient().post(f"{BASE}requests.json", body, format="json")


@pytest.mark.parametrize("body", [[1, 2], 7, "x", None, True, [{"api_key": "k"}]], ids=repr)
def test_a_json_body_that_is_not_an_object_is_a_georeport_400(place, body):
    import json

    response = APIClient().post(f"{BASE}requests.json", json.dumps(body), content_type="application/json")
    _assert_error(response, 400)
    assert not Ticket.objects.exists()


def test_a_deeply_nested_or_malformed_json_body_is_a_georeport_400(place):
    deep = "[" * 5000 + "]" * 5000
    for raw in (deep, '{"description": ', "\x00"):
        _assert_error(APIClient().post(f"{BASE}requests.json", raw, content_type="application/json"), 400)


@pytest.fixture
def filer(place):
    user = UserFactory(role=Role.INTEGRATOR, scope=place["street"])
    return {
        "api_key": _key(user), "service_code": "HJ-01", "address_string": "西津街道1号", "description": "路灯坏了",
        "attribute[community_code]": "XJ-001",
    }  # fmt: skip


def test_the_filer_fixture_files(filer):
    assert APIClient().post(f"{BASE}requests.json", filer).status_code == 201


@pytest.mark.parametrize("field", ["service_code", "api_key", "description", "attribute[community_code]",
                                   "address_string", "first_name", "phone", "jurisdiction_id", "unknown"])  # fmt: skip
def test_nul_in_any_posted_parameter_is_a_georeport_400_naming_it(filer, field):
    value = f"{filer.get(field, 'x')}\x00"
    form = APIClient().post(f"{BASE}requests.json", {**filer, field: value})
    _assert_error(form, 400)
    assert field in form.json()[0]["description"]
    body = {**filer, field: value}
    if field == "attribute[community_code]":
        del body[field]
        body["attribute"] = {"community_code": value}
    _assert_error(_post_json(body), 400)
    assert not Ticket.objects.exists()


def test_nul_in_a_parameter_name_is_a_georeport_400(filer):
    _assert_error(_post_json({**filer, "desc\x00ription": "x"}), 400)
    _assert_error(APIClient().get(f"{BASE}requests.json", {"a\x00": "1"}), 400)


@pytest.mark.parametrize(
    "path", ["services/%00.json", "requests/%00.json", "tokens/%00.json", "requests/NG%00-1.json", "services%00.json"]
)
def test_nul_in_any_path_is_a_georeport_400(place, path):
    _assert_error(APIClient().get(f"{BASE}{path}"), 400)


@pytest.mark.parametrize(
    "param", ["service_request_id", "service_code", "api_key", "start_date", "end_date", "status", "jurisdiction_id"]
)
def test_nul_in_any_query_parameter_is_a_georeport_400_naming_it(place, param):
    for path in ("requests.json", "services.json", "services/HJ-01.json"):
        response = APIClient().get(f"{BASE}{path}", {param: "a\x00b"})
        _assert_error(response, 400)
        assert param in response.json()[0]["description"]


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("description", ["a", "b"]), ("description", {"a": 1}), ("description", True), ("service_code", [1]),
        ("lat", {"x": 1}), ("api_key", 12.5e300), ("attribute", [1]),
    ],
    ids=str,
)  # fmt: skip
def test_a_json_value_of_the_wrong_type_is_a_georeport_400_naming_it(filer, field, value):
    body = {**filer, "lat": "30.6", "long": "118.9", field: value}
    response = _post_json(body)
    assert response.status_code in (400, 403), response.content  # a float api_key is a bad key at worst
    if response.status_code == 400:
        assert field in str(response.json())
    assert not Ticket.objects.exists()


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("lat", "abc"), ("lat", "90.5"), ("long", "-181"), ("lat", "1e400"), ("long", "NaN"),
        ("description", "长" * 4001), ("address_string", "路" * 201), ("service_code", "C" * 31),
        ("api_key", "k" * 65), ("first_name", "名" * 26), ("email", "not-an-email"), ("phone", "1" * 21),
        ("attribute[community_code]", "X" * 41), ("jurisdiction_id", "j" * 101),
    ],
    ids=lambda v: v if len(str(v)) < 12 else f"{str(v)[:3]}…",
)  # fmt: skip
def test_bad_types_out_of_range_and_overlong_values_are_a_georeport_400_naming_the_field(filer, field, value):
    extra = {"long": "118.9"} if field == "lat" else {"lat": "30.6"} if field == "long" else {}
    for response in (
        APIClient().post(f"{BASE}requests.json", {**filer, **extra, field: value}),
        _post_json({**filer, **extra, field: value}),
    ):
        _assert_error(response, 400)
        assert any(row["description"].startswith(f"{field}:") for row in response.json()), response.json()
    assert not Ticket.objects.exists()


def test_every_refused_parameter_gets_its_own_entry(filer):
    response = _post_json({**filer, "lat": "100", "long": "200", "email": "x", "description": ""})
    _assert_error(response, 400)
    named = {row["description"].split(":")[0] for row in response.json()}
    assert {"lat", "long", "email", "description"} <= named


def test_lat_without_long_is_a_georeport_400(filer):
    del filer["address_string"]
    response = _post_json({**filer, "lat": "30.6"})
    _assert_error(response, 400)
    assert response.json()[0]["description"].startswith("long:")


@pytest.mark.parametrize(
    ("param", "value"),
    [
        ("start_date", "2024-02-30T00:00:00+08:00"), ("end_date", "2024-13-01T00:00:00Z"),
        ("end_date", "0001-01-01T00:00:00Z"), ("start_date", "0000-01-01T00:00:00"), ("end_date", "99999-01-01"),
        ("end_date", "9999-12-31T23:59:59-14:00"), ("start_date", "2024-01-01T25:00:00Z"), ("start_date", "x" * 500),
        ("service_request_id", ",".join(f"NG-{n}" for n in range(101))), ("service_request_id", "N" * 31),
        ("service_code", "C" * 31), ("status", "open,pending"), ("api_key", "k" * 65),
    ],
    ids=lambda v: v if len(str(v)) < 26 else f"{str(v)[:8]}…",
)  # fmt: skip
def test_impossible_dates_and_bad_list_parameters_are_a_georeport_400_naming_them(place, param, value):
    response = APIClient().get(f"{BASE}requests.json", {param: value})
    _assert_error(response, 400)
    assert response.json()[0]["description"].startswith(f"{param}:"), response.json()


def test_the_descriptions_follow_the_requested_language(filer):
    chinese = APIClient().post(f"{BASE}requests.json", {**filer, "email": "x"}, HTTP_ACCEPT_LANGUAGE="zh-hans")
    english = APIClient().post(f"{BASE}requests.json", {**filer, "email": "x"}, HTTP_ACCEPT_LANGUAGE="en")
    assert english.json()[0]["description"] == "email: Enter a valid email address."
    assert chinese.json()[0]["description"] != english.json()[0]["description"]


def test_an_oversized_body_is_a_georeport_413(filer, settings):
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    _assert_error(_post_json({**filer, "description": "长" * 900}), 413)
    assert not Ticket.objects.exists()


# --- a key adds detail, never hides; a key outside its scope is a 403 ---------------------------------------------


def test_a_key_never_hides_a_public_request_and_adds_detail_only_inside_its_scope(place):
    elsewhere = TicketFactory(service_item=place["item"], description="别处的诉求", address="别处1号")
    mine = TicketFactory(community=place["community"], service_item=place["item"], description="本处", address="本2号")
    key = _key(UserFactory(role=Role.INTEGRATOR, scope=place["street"]))
    client = APIClient()
    for ticket in (elsewhere, mine):
        anonymous = client.get(f"{BASE}requests/{ticket.reference}.json")
        keyed = client.get(f"{BASE}requests/{ticket.reference}.json", {"api_key": key})
        assert anonymous.status_code == keyed.status_code == 200
        assert client.get(f"{BASE}tokens/{ticket.reference}.json", {"api_key": key}).status_code == 200
    (row,) = client.get(f"{BASE}requests/{elsewhere.reference}.json", {"api_key": key}).json()
    assert row["description"] == "" and row["address"] == ""
    (row,) = client.get(f"{BASE}requests/{mine.reference}.json", {"api_key": key}).json()
    assert row["description"] == "本处" and row["address"] == "本2号"
    anonymous = {r["service_request_id"] for r in client.get(f"{BASE}requests.json").json()}
    keyed = {r["service_request_id"] for r in client.get(f"{BASE}requests.json", {"api_key": key}).json()}
    assert anonymous <= keyed


def test_a_non_public_request_is_read_only_with_a_key_whose_scope_holds_it(place):
    private = ServiceItemFactory(code="SECRET", is_public=False)
    ticket = TicketFactory(community=place["community"], service_item=private, description="家事")
    inside = _key(UserFactory(role=Role.INTEGRATOR, scope=place["street"]))
    outside = _key(UserFactory(role=Role.INTEGRATOR, scope=OrganizationFactory(level=Level.STREET)))
    client = APIClient()
    url = f"{BASE}requests/{ticket.reference}.json"
    assert client.get(url, {"api_key": inside}).json()[0]["description"] == "家事"
    missing = client.get(f"{BASE}requests/NG-19990101-0001.json", {"api_key": outside})
    for response in (client.get(url), client.get(url, {"api_key": outside})):
        _assert_error(response, 404)
        assert response.status_code == missing.status_code
    _assert_error(client.get(f"{BASE}tokens/{ticket.reference}.json"), 404)
    assert ticket.reference not in client.get(f"{BASE}requests.json", {"api_key": outside}).content.decode()


def test_a_key_filing_outside_its_scope_is_a_403(place, filer):
    other = OrganizationFactory(level=Level.COMMUNITY, parent=OrganizationFactory(level=Level.STREET), code="QT-1")
    _assert_error(APIClient().post(f"{BASE}requests.json", {**filer, "attribute[community_code]": other.code}), 403)
    community_key = _key(UserFactory(role=Role.INTEGRATOR, scope=place["community"]))
    body = {**filer, "api_key": community_key, "attribute[community_code]": other.code}
    _assert_error(APIClient().post(f"{BASE}requests.json", body), 403)
    assert not Ticket.objects.exists()
