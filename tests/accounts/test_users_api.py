"""The users API: the shared scope matrix, who may grant which scope, and how passwords are handled."""

import pytest

from accounts.models import Role, User
from orgs.models import Organization
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.scoped_api import SCOPED_API_CHECKS, ScopedApi, check_name, client_as

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Tongxin-yuan-2024"


def _user_payload(org: Organization) -> dict:
    username = f"new{User.objects.count()}"
    return {"username": username, "password": NEW_PASSWORD, "role": Role.GRID_WORKER, "scope": org.pk}


USERS = ScopedApi(
    url="/api/v1/users/",
    make=lambda org: UserFactory(role=Role.GRID_WORKER, scope=org),
    payload=_user_payload,
    update={"first_name": "小明"},
    writers=("owner",),
    readers=("owner",),  # accounts are staff business: officials and integrators get 403
    filters=lambda cast: {"scope": cast.sibling.pk},
    make_many=lambda org, count: UserFactory.create_batch(count, role=Role.GRID_WORKER, scope=org),
)


@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
def test_user_api_follows_scope(check):
    check(USERS)


def test_staff_creates_a_user_inside_their_scope(cast):
    response = client_as(cast.owner).post("/api/v1/users/", _user_payload(cast.home), format="json")
    assert response.status_code == 201, response.content
    created = User.objects.get(pk=response.json()["id"])
    assert created.scope == cast.home
    assert created.role == Role.GRID_WORKER
    assert created.check_password(NEW_PASSWORD)


def test_staff_cannot_grant_a_scope_wider_than_their_own(cast):
    before = User.objects.count()
    response = client_as(cast.owner).post("/api/v1/users/", _user_payload(cast.district), format="json")
    assert response.status_code == 400
    assert "scope" in response.json()
    assert User.objects.count() == before


def test_staff_cannot_grant_a_sibling_scope(cast):
    response = client_as(cast.owner).post("/api/v1/users/", _user_payload(cast.sibling), format="json")
    assert response.status_code == 400
    assert "scope" in response.json()


def test_staff_cannot_create_a_user_without_scope(cast):
    payload = _user_payload(cast.home) | {"scope": None}
    response = client_as(cast.owner).post("/api/v1/users/", payload, format="json")
    assert response.status_code == 400
    assert "scope" in response.json()


def test_staff_cannot_widen_an_existing_users_scope(cast):
    worker = UserFactory(role=Role.GRID_WORKER, scope=cast.home)
    response = client_as(cast.owner).patch(f"/api/v1/users/{worker.pk}/", {"scope": cast.district.pk}, format="json")
    assert response.status_code == 400
    assert "scope" in response.json()
    worker.refresh_from_db()
    assert worker.scope == cast.home


@pytest.mark.parametrize("role", [Role.OFFICIAL, Role.INTEGRATOR, Role.GRID_WORKER])
def test_only_staff_may_create_users(cast, role):
    actor = UserFactory(role=role, scope=cast.home)
    response = client_as(actor).post("/api/v1/users/", _user_payload(cast.home), format="json")
    assert response.status_code == 403
    assert not User.objects.filter(username=_user_payload(cast.home)["username"]).exists()


def test_password_is_never_returned(cast):
    client = client_as(cast.owner)
    created = client.post("/api/v1/users/", _user_payload(cast.home), format="json")
    assert created.status_code == 201
    assert "password" not in created.json()
    assert "password" not in client.get(f"/api/v1/users/{created.json()['id']}/").json()
    assert "password" not in client.get("/api/v1/users/").json()["results"][0]


@pytest.mark.parametrize("password", ["12345678", "password", "short"])
def test_weak_password_is_refused(cast, password):
    payload = _user_payload(cast.home) | {"password": password}
    response = client_as(cast.owner).post("/api/v1/users/", payload, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_password_is_required_when_creating_a_user(cast):
    payload = _user_payload(cast.home)
    del payload["password"]
    response = client_as(cast.owner).post("/api/v1/users/", payload, format="json")
    assert response.status_code == 400
    assert "password" in response.json()


def test_editing_a_user_without_a_password_keeps_their_password(cast):
    worker = UserFactory(role=Role.GRID_WORKER, scope=cast.home)
    response = client_as(cast.owner).patch(f"/api/v1/users/{worker.pk}/", {"first_name": "小红"}, format="json")
    assert response.status_code == 200, response.content
    worker.refresh_from_db()
    assert worker.first_name == "小红"
    assert worker.check_password(DEFAULT_PASSWORD)


def test_staff_can_reset_a_password(cast):
    worker = UserFactory(role=Role.GRID_WORKER, scope=cast.home)
    response = client_as(cast.owner).patch(f"/api/v1/users/{worker.pk}/", {"password": NEW_PASSWORD}, format="json")
    assert response.status_code == 200, response.content
    worker.refresh_from_db()
    assert worker.check_password(NEW_PASSWORD)


def test_me_returns_the_signed_in_user(cast):
    response = client_as(cast.official).get("/api/v1/users/me/")
    assert response.status_code == 200
    body = response.json()
    assert body["username"] == cast.official.username
    assert body["scope"] == cast.district.pk
    assert "password" not in body


def test_me_is_401_for_anonymous():
    assert client_as(None).get("/api/v1/users/me/").status_code == 401
