"""Token login: the token for good credentials, a plain 400 for bad ones, 429 once guessing starts."""

import pytest
from django.conf import settings
from rest_framework.authtoken.models import Token

from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"


@pytest.fixture
def user():
    return UserFactory(username="wangfang", role="staff", scope=OrganizationFactory(level="street"))


def test_good_credentials_return_the_users_token(api_client, user):
    response = api_client.post(TOKEN_URL, {"username": "wangfang", "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200
    assert response.json() == {"token": Token.objects.get(user=user).key}


def test_logging_in_twice_returns_the_same_token(api_client, user):
    first = api_client.post(TOKEN_URL, {"username": "wangfang", "password": DEFAULT_PASSWORD}, format="json")
    second = api_client.post(TOKEN_URL, {"username": "wangfang", "password": DEFAULT_PASSWORD}, format="json")
    assert first.json()["token"] == second.json()["token"]


def test_bad_password_is_400_with_a_message(api_client, user):
    response = api_client.post(TOKEN_URL, {"username": "wangfang", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["用户名或密码不正确。"]
    assert not Token.objects.exists()


def test_unknown_user_gets_the_same_message_as_a_bad_password(api_client, user):
    response = api_client.post(TOKEN_URL, {"username": "nobody", "password": "wrong"}, format="json")
    assert response.status_code == 400
    assert response.json()["non_field_errors"] == ["用户名或密码不正确。"]


def test_inactive_user_gets_no_token(api_client, user):
    user.is_active = False
    user.save()
    response = api_client.post(TOKEN_URL, {"username": "wangfang", "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 400


def test_missing_fields_are_400_per_field(api_client):
    response = api_client.post(TOKEN_URL, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"username", "password"}


def test_too_many_failures_lock_out_even_the_right_password(api_client, user):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert api_client.post(TOKEN_URL, {"username": "wangfang", "password": "x"}, format="json").status_code == 400
    response = api_client.post(TOKEN_URL, {"username": "wangfang", "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 429
    assert "token" not in response.json()


def test_failures_just_below_the_limit_do_not_lock_out(api_client, user):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        api_client.post(TOKEN_URL, {"username": "wangfang", "password": "x"}, format="json")
    response = api_client.post(TOKEN_URL, {"username": "wangfang", "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200


def test_a_successful_login_resets_the_failure_count(api_client, user):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        api_client.post(TOKEN_URL, {"username": "wangfang", "password": "x"}, format="json")
    api_client.post(TOKEN_URL, {"username": "wangfang", "password": DEFAULT_PASSWORD}, format="json")
    api_client.post(TOKEN_URL, {"username": "wangfang", "password": "x"}, format="json")
    response = api_client.post(TOKEN_URL, {"username": "wangfang", "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200


def test_lockout_is_per_username(api_client, user):
    UserFactory(username="lisi")
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        api_client.post(TOKEN_URL, {"username": "wangfang", "password": "x"}, format="json")
    response = api_client.post(TOKEN_URL, {"username": "lisi", "password": DEFAULT_PASSWORD}, format="json")
    assert response.status_code == 200


def test_request_without_token_is_401(api_client, user):
    assert api_client.get("/api/v1/users/me/").status_code == 401


def test_token_header_authenticates(api_client, user):
    token = Token.objects.create(user=user)
    response = api_client.get("/api/v1/users/me/", HTTP_AUTHORIZATION=f"Token {token.key}")
    assert response.status_code == 200
    assert response.json()["username"] == "wangfang"


def test_a_wrong_token_is_401(api_client, user):
    Token.objects.create(user=user)
    response = api_client.get("/api/v1/users/me/", HTTP_AUTHORIZATION="Token " + "0" * 40)
    assert response.status_code == 401
