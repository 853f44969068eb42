"""Bad input is a 4xx that says what is wrong, never a 500: each class of issue 9 held over every endpoint it reaches.

The API cases walk the router, so a viewset added later is covered without anyone listing it here.
"""

import json

import pytest
from django.contrib import admin
from django.test import Client, RequestFactory
from rest_framework import parsers as drf_parsers
from rest_framework import serializers

from accounts.models import Role
from config.api import router
from core.api.fields import text_max_length
from core.api.parsers import JSONObjectParser
from core.errors import server_error
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

VIEWSETS = [(prefix, viewset) for prefix, viewset, _basename in router.registry]
LIST_URLS = [f"/api/v1/{prefix}/" for prefix, _viewset in VIEWSETS]
CREATABLE_URLS = [f"/api/v1/{prefix}/" for prefix, viewset in VIEWSETS if "post" in viewset.http_method_names]
TOKEN_URL = "/api/v1/auth/token/"


def nested(depth: int) -> str:
    return '{"a":' * depth + "1" + "}" * depth


@pytest.fixture
def writer():
    return client_for(UserFactory(role=Role.STAFF, scope=OrganizationFactory(level="district")))


def post_json(client, url: str, body: str):
    response = client.generic("POST", url, body, content_type="application/json")
    if response.status_code == 405 and url in CREATABLE_URLS:
        # A list that takes no POST (whistle calls are made by blowing a whistle) has no body to refuse.
        assert client.generic("POST", url, "{}", content_type="application/json").status_code == 405
        pytest.skip("the list takes no POST")
    return response


def assert_json_error(response, status: int = 400):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    return response.json()


# --- NUL and control characters (core.middleware) --------------------------------------------------------------


@pytest.mark.parametrize("url", LIST_URLS)
def test_nul_in_an_api_query_value_is_a_json_400(writer, url):
    body = assert_json_error(writer.get(url, {"ordering": "\x00", "search": "a\x00b"}))
    assert "空字符" in body["detail"]


@pytest.mark.parametrize("url", LIST_URLS)
def test_nul_in_an_api_path_segment_is_a_json_400(writer, url):
    assert_json_error(writer.get(url + "%00/"))


@pytest.mark.parametrize("url", ["/catalogue/%00/", "/wishes/wall/%00/", "/r/%00/", "/catalogue/x/?code=%00"])
def test_nul_in_a_public_page_url_is_a_plain_400_page(url):
    response = Client().get(url)
    assert response.status_code == 400
    assert "请求无效" in response.content.decode()


def test_nul_in_a_grid_search_is_a_400(client):
    client.force_login(UserFactory(role=Role.STAFF, scope=OrganizationFactory()))
    assert client.get("/grid/search/", {"q": "\x00"}).status_code == 400


def test_nul_in_a_posted_form_value_is_a_400(client):
    assert client.post("/accounts/login/", {"username": "a\x00", "password": "x"}).status_code == 400


def test_open311_paths_answer_georeport_error_lists_for_nul():
    response = Client().get("/open311/v2/requests/%00.json")
    assert response.status_code == 400
    assert response.json() == [{"code": 400, "description": response.json()[0]["description"]}]


def test_other_control_characters_are_refused_but_tabs_and_newlines_are_not(writer):
    assert writer.get("/api/v1/orgs/", {"search": "a\x07"}).status_code == 400
    assert writer.get("/api/v1/orgs/", {"search": "a\tb\nc"}).status_code == 200


# --- JSON bodies (core.api.parsers) ------------------------------------------------------------------------------


@pytest.mark.parametrize("body", ["[1,2]", '"x"', "1", "null", "true", nested(5000), "{", "NaN"])
def test_token_login_refuses_every_body_that_is_not_a_json_object(body):
    assert_json_error(post_json(Client(), TOKEN_URL, body))


@pytest.mark.parametrize("url", CREATABLE_URLS)
@pytest.mark.parametrize("body", ["[1,2]", '"x"', "7"], ids=["list", "string", "number"])
def test_an_api_body_that_is_not_an_object_is_a_400(writer, url, body):
    detail = assert_json_error(post_json(writer, url, body))["detail"]
    assert "JSON 对象" in detail


@pytest.mark.parametrize("url", CREATABLE_URLS)
def test_deeply_nested_json_is_a_400_not_a_recursion_error(writer, url):
    assert "嵌套过深" in assert_json_error(post_json(writer, url, nested(5000)))["detail"]


def test_moderately_nested_json_past_the_depth_cap_is_refused(writer):
    assert_json_error(post_json(writer, "/api/v1/orgs/", nested(40)))


@pytest.mark.parametrize("url", CREATABLE_URLS)
def test_an_oversized_api_body_is_a_413(writer, settings, url):
    settings.API_MAX_BODY_BYTES = 1024
    assert "过大" in assert_json_error(post_json(writer, url, json.dumps({"name": "x" * 2000})), 413)["detail"]


def test_a_sixty_megabyte_ticket_is_refused_at_the_default_cap(writer):
    body = json.dumps({"description": "x" * (60 * 1024 * 1024)})
    assert_json_error(post_json(writer, "/api/v1/tickets/", body), 413)


@pytest.mark.parametrize("url", CREATABLE_URLS)
def test_nul_in_a_json_string_is_a_400_naming_the_field(writer, url):
    errors = assert_json_error(post_json(writer, url, json.dumps({"name": "a\x00", "nested": {"x": ["\x00"]}})))
    assert set(errors) in ({"name"}, {"nested"})


def test_no_api_view_parses_json_with_drfs_unbounded_parser():
    for _prefix, viewset in VIEWSETS:
        actions = [getattr(viewset, name) for name in dir(viewset) if hasattr(getattr(viewset, name), "kwargs")]
        parser_lists = [viewset.parser_classes] + [a.kwargs.get("parser_classes", []) for a in actions]
        for parser in (p for parsers in parser_lists for p in parsers):
            if issubclass(parser, drf_parsers.JSONParser):
                assert issubclass(parser, JSONObjectParser), (viewset, parser)


# --- Text fields are capped in the API (core.api.fields) --------------------------------------------------------


@pytest.mark.parametrize(("prefix", "viewset"), VIEWSETS, ids=[p for p, _v in VIEWSETS])
def test_every_writable_text_field_of_the_api_has_a_max_length(prefix, viewset):
    serializer_class = getattr(viewset, "serializer_class", None)
    if serializer_class is None:
        pytest.skip("no default serializer")
    request = RequestFactory().get("/")
    request.user = UserFactory(role=Role.STAFF, scope=OrganizationFactory())
    fields = serializer_class(context={"request": request}).fields
    for name, field in fields.items():
        if isinstance(field, serializers.CharField) and not field.read_only:
            assert field.max_length is not None, f"{prefix}.{name} takes any length"
            assert field.max_length <= text_max_length(), f"{prefix}.{name}"


def test_an_overlong_ticket_description_is_a_per_field_400(writer):
    body = json.dumps({"title": "t", "description": "y" * (text_max_length() + 1)})
    assert "description" in assert_json_error(post_json(writer, "/api/v1/tickets/", body))


# --- Query values (core.filters, core.api.pagination) -----------------------------------------------------------

YEAR_CASES = [
    ("/api/v1/agreements/", "year", "-1"),
    ("/api/v1/agreements/", "year", "99999999999999999999"),
    ("/api/v1/commitments/", "due_year", "0"),
    ("/api/v1/whistles/", "year", "0"),
    ("/api/v1/whistle-calls/", "year", "0"),
    ("/api/v1/evaluations/", "year", "99999999999999999999"),
    ("/api/v1/evaluation-ratings/", "year", "3000"),
    ("/api/v1/whistles/", "year", "1e3"),
]


@pytest.mark.parametrize(("url", "name", "value"), YEAR_CASES)
def test_a_year_out_of_range_is_a_per_field_400(writer, url, name, value):
    assert name in assert_json_error(writer.get(url, {name: value}))


@pytest.mark.parametrize(("url", "name"), sorted({(u, n) for u, n, _v in YEAR_CASES}))
def test_a_year_in_range_filters(writer, url, name):
    assert writer.get(url, {name: "2026"}).status_code == 200


@pytest.mark.parametrize("value", ["2578518", "yes", "maybe", ""])
def test_a_boolean_filter_takes_only_true_false_1_0(writer, value):
    assert "overdue" in assert_json_error(writer.get("/api/v1/tickets/", {"overdue": value}))


@pytest.mark.parametrize("value", ["true", "false", "1", "0", "True"])
def test_a_boolean_filter_accepts_its_spellings(writer, value):
    assert writer.get("/api/v1/tickets/", {"overdue": value}).status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/grid-roles/?duty=", "/api/v1/grid-roles/?duty=nonsense",
                                 "/api/v1/tickets/?channel=", "/api/v1/grid-roles/?current=maybe"])  # fmt: skip
def test_an_empty_or_unknown_choice_is_a_400_in_the_api(writer, url):
    assert_json_error(writer.get(url))


def test_a_page_filter_form_may_still_send_empty_selects(client):
    client.force_login(UserFactory(role=Role.STAFF, scope=OrganizationFactory()))
    assert client.get("/tickets/", {"status": "", "channel": "", "overdue": ""}).status_code == 200


@pytest.mark.parametrize("url", LIST_URLS)
@pytest.mark.parametrize("page_size", ["false", "0", "-5", "201", "1.5", ""])
def test_a_bad_page_size_is_a_400(writer, url, page_size):
    assert "page_size" in assert_json_error(writer.get(url, {"page_size": page_size}))


def test_a_good_page_size_pages(writer):
    assert writer.get("/api/v1/orgs/", {"page_size": "200"}).status_code == 200


# --- Admin object URLs (core.admin.ScopedAdminMixin) ------------------------------------------------------------

ADMIN_MODELS = [f"{m._meta.app_label}/{m._meta.model_name}" for m in admin.site._registry]


@pytest.mark.parametrize("model", ADMIN_MODELS)
@pytest.mark.parametrize("view", ["change", "delete", "history"])
def test_a_non_numeric_admin_object_id_is_not_found_like_a_missing_one(client, model, view):
    client.force_login(UserFactory(role=Role.STAFF, scope=OrganizationFactory(level="district"), is_superuser=True))
    bad = client.get(f"/admin/{model}/abc/{view}/")
    missing = client.get(f"/admin/{model}/999999/{view}/")
    assert bad.status_code == missing.status_code
    assert bad.status_code in (302, 403, 404)  # 403: a read-only admin (no one deletes a log entry), missing or not


# --- Error pages (core.errors) -----------------------------------------------------------------------------------


def test_a_crashing_api_view_answers_json_without_a_traceback(writer, settings, monkeypatch):
    settings.DEBUG = False
    from orgs.api.views import OrganizationViewSet

    monkeypatch.setattr(OrganizationViewSet, "list", lambda *a, **k: 1 / 0)
    writer.raise_request_exception = False
    body = assert_json_error(writer.get("/api/v1/orgs/"), 500)
    assert body == {"detail": "服务器出错了，请稍后再试。"}


def test_a_crashing_page_answers_a_plain_page_without_a_traceback(settings, monkeypatch):
    settings.DEBUG = False
    from services.views import CatalogueView

    monkeypatch.setattr(CatalogueView, "get", lambda *a, **k: 1 / 0)
    response = Client(raise_request_exception=False).get("/catalogue/x/")
    assert response.status_code == 500
    text = response.content.decode()
    assert "服务器出错" in text and "Traceback" not in text and "ZeroDivisionError" not in text


def test_an_unknown_api_path_is_a_json_404(settings, writer):
    settings.DEBUG = False
    assert_json_error(writer.get("/api/v1/no-such-thing/"), 404)


def test_an_unknown_page_is_a_plain_chinese_404(settings):
    settings.DEBUG = False
    response = Client().get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_500_handler_answers_open311_in_georeport_shape():
    response = server_error(RequestFactory().get("/open311/v2/requests.json"))
    assert json.loads(response.content) == [{"code": 500, "description": "服务器出错了，请稍后再试。"}]
