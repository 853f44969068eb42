"""The database down: 503 with Retry-After (JSON for the API, GeoReport's list for Open311, plain HTML for pages)."""

import json

import pytest
from django.contrib.auth.views import LoginView
from django.db.utils import InterfaceError, OperationalError
from django.http import HttpResponse
from django.test import Client
from django.urls import reverse

from accounts.models import Role
from core.db_outage import outage_response
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory
from tests.scoped_api import client_as

pytestmark = pytest.mark.django_db


def _down(*args, **kwargs):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.fixture
def staff():
    return UserFactory(role=Role.STAFF, scope=OrganizationFactory())


def test_a_database_error_in_an_api_view_is_a_503_json_with_retry_after(staff, monkeypatch):
    from services.api import views

    monkeypatch.setattr(views.TicketViewSet, "list", _down)
    response = client_as(staff).get("/api/v1/tickets/")
    assert response.status_code == 503
    assert int(response["Retry-After"]) > 0
    assert response["Content-Type"].startswith("application/json")
    assert "detail" in response.json()


def test_a_dead_connection_in_an_api_write_is_a_503_too(staff, monkeypatch):
    from services.api import views

    def dead(*args, **kwargs):
        raise InterfaceError("connection already closed")

    monkeypatch.setattr(views.TicketViewSet, "create", dead)
    response = client_as(staff).post("/api/v1/tickets/", {}, format="json")
    assert response.status_code == 503 and response.json()["detail"]


def test_a_database_error_in_a_page_is_a_plain_503_page(client, staff, monkeypatch):
    from services import views

    monkeypatch.setattr(views.TicketQueueView, "get", _down)
    client.force_login(staff)
    response = client.get(reverse("tickets:queue"))
    assert response.status_code == 503
    assert response["Retry-After"]
    assert response["Content-Type"].startswith("text/html")
    assert "Traceback" not in response.content.decode()
    assert "数据库暂时不可用" in response.content.decode()


def test_a_database_error_outside_the_view_becomes_a_503_not_a_500(monkeypatch):
    """The session is saved by SessionMiddleware on the way out, where the database fails: 503, not 500."""

    def touch_session(self, request, *args, **kwargs):
        request.session["touched"] = True
        return HttpResponse("ok")

    monkeypatch.setattr(LoginView, "get", touch_session)
    monkeypatch.setattr("django.contrib.sessions.backends.db.SessionStore.save", _down)
    response = Client(raise_request_exception=False).get(reverse("login"))
    assert response.status_code == 503 and response["Retry-After"]


def test_open311_answers_the_georeport_error_list(rf):
    response = outage_response(rf.get("/open311/v2/requests.json"))
    assert response.status_code == 503
    assert response["Retry-After"]
    (error,) = json.loads(response.content)
    assert error["code"] == 503 and error["description"]


def test_connections_are_health_checked_and_reused(settings):
    assert settings.DATABASES["default"]["CONN_HEALTH_CHECKS"] is True
    assert settings.DATABASES["default"]["CONN_MAX_AGE"] > 0
