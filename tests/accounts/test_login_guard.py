"""One login guard for every way in, the client address behind trusted proxies, and rate limits that answer 429.

The guard (accounts.login_guard, in the authentication backend) counts failures per normalised username and client
address, and per address alone; it keeps its counters in the database, so a cache outage neither 500s nor unlocks.
"""

import pytest
import redis
from django.contrib.auth import SESSION_KEY
from django.core.cache import cache
from django.test import RequestFactory
from rest_framework.test import APIClient

from accounts.models import PIIAccessLog
from core.client_ip import client_ip
from core.pii import client_ip as pii_client_ip
from tests.accounts.factories import DEFAULT_PASSWORD, UserFactory
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TOKEN_URL = "/api/v1/auth/token/"
PAGE_URL = "/accounts/login/"
ADMIN_URL = "/admin/login/"
LOCKED_TEXT = "登录失败次数过多"


@pytest.fixture
def user():
    return UserFactory(username="official", role="staff", scope=OrganizationFactory(level="street"))


def token_login(username, password, **extra):
    return APIClient().post(TOKEN_URL, {"username": username, "password": password}, format="json", **extra)


def page_login(url, username, password, **extra):
    from django.test import Client

    client = Client()
    response = client.post(url, {"username": username, "password": password, "next": "/"}, **extra)
    return response, SESSION_KEY in client.session


def fail_token_logins(settings, username="official", **extra):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert token_login(username, "wrong", **extra).status_code == 400


def assert_page_locked(url):
    response, logged_in = page_login(url, "official", DEFAULT_PASSWORD)
    assert not logged_in
    assert response.status_code == 200
    assert LOCKED_TEXT in response.content.decode()


# ---- every way in shares one guard ------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [PAGE_URL, ADMIN_URL])
def test_the_login_pages_log_in_with_the_right_password(user, url):
    response, logged_in = page_login(url, "official", DEFAULT_PASSWORD)
    assert logged_in and response.status_code == 302


@pytest.mark.parametrize("url", [PAGE_URL, ADMIN_URL])
def test_a_login_page_locks_out_even_the_right_password_after_the_limit(settings, user, url):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert not page_login(url, "official", "wrong")[1]
    assert_page_locked(url)


@pytest.mark.parametrize("url", [PAGE_URL, ADMIN_URL])
def test_a_token_locked_account_cannot_log_in_on_the_pages(settings, user, url):
    fail_token_logins(settings)
    assert_page_locked(url)


@pytest.mark.parametrize("url", [PAGE_URL, ADMIN_URL])
def test_a_page_locked_account_gets_429_with_retry_after_from_the_token_endpoint(settings, user, url):
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        page_login(url, "official", "wrong")
    response = token_login("official", DEFAULT_PASSWORD)
    assert response.status_code == 429
    assert 0 < int(response["Retry-After"]) <= settings.LOGIN_FAILURE_WINDOW_SECONDS
    assert "token" not in response.json()


def test_the_backend_refuses_a_locked_login_even_if_a_view_forgets_to_ask(settings, user):
    from django.contrib.auth import authenticate

    fail_token_logins(settings)
    request = RequestFactory().post(TOKEN_URL)
    assert authenticate(request, username="official", password=DEFAULT_PASSWORD) is None


# ---- the username is normalised -------------------------------------------------------------------------------


@pytest.mark.parametrize("variant", ["official ", " official", "Official", "OFFICIAL  ", "ｏｆｆｉｃｉａｌ"])
def test_spaces_case_and_width_variants_count_against_the_same_account(settings, user, variant):
    fail_token_logins(settings, username=variant)
    assert token_login("official", DEFAULT_PASSWORD).status_code == 429
    assert token_login(variant, DEFAULT_PASSWORD).status_code == 429


def test_variants_spread_over_one_account_reach_its_limit_together(settings, user):
    variants = ["official", "official ", "official  ", " Official", "OFFICIAL"]
    for variant in variants[: settings.LOGIN_FAILURE_LIMIT]:
        token_login(variant, "wrong")
    assert token_login("official ", DEFAULT_PASSWORD).status_code == 429


def test_surrounding_spaces_log_in_as_the_same_account_not_another_identity(user):
    response = token_login("  official ", DEFAULT_PASSWORD)
    assert response.status_code == 200
    assert response.json()["token"] == token_login("official", DEFAULT_PASSWORD).json()["token"]


def test_a_right_password_clears_the_accounts_count(settings, user):
    for _ in range(settings.LOGIN_FAILURE_LIMIT - 1):
        token_login("official ", "wrong")
    assert token_login("official", DEFAULT_PASSWORD).status_code == 200
    token_login("official", "wrong")
    assert token_login("official", DEFAULT_PASSWORD).status_code == 200


# ---- one address spraying many usernames ----------------------------------------------------------------------


def test_one_address_spraying_many_usernames_is_slowed(settings, user):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        assert token_login(f"guess{n}", "wrong").status_code == 400
    assert token_login("official", DEFAULT_PASSWORD).status_code == 429
    assert_page_locked(PAGE_URL)


def test_another_address_is_not_slowed_by_a_sprayer(settings, user):
    settings.LOGIN_ADDRESS_FAILURE_LIMIT = 6
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT):
        token_login(f"guess{n}", "wrong", REMOTE_ADDR="198.51.100.7")
    assert token_login("official", DEFAULT_PASSWORD, REMOTE_ADDR="198.51.100.8").status_code == 200


def test_spraying_below_the_address_limit_does_not_slow_anyone(settings, user):
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        token_login(f"guess{n}", "wrong")
    assert token_login("official", DEFAULT_PASSWORD).status_code == 200


# ---- the client address: X-Forwarded-For only from trusted proxies ---------------------------------------------


def test_a_fresh_x_forwarded_for_per_request_does_not_reset_the_count(settings, user):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        token_login("official", "wrong", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert token_login("official", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.200").status_code == 429


def test_behind_one_trusted_proxy_forged_left_entries_do_not_reset_the_count(settings, user):
    settings.TRUSTED_PROXY_COUNT = 1
    proxy = {"REMOTE_ADDR": "10.0.0.1"}
    for n in range(settings.LOGIN_FAILURE_LIMIT):
        token_login("official", "wrong", HTTP_X_FORWARDED_FOR=f"192.0.2.{n}, 203.0.113.5", **proxy)
    locked = token_login("official", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.5", **proxy)
    assert locked.status_code == 429
    # Another client behind the same proxy is a different address, so not locked out.
    other = token_login("official", DEFAULT_PASSWORD, HTTP_X_FORWARDED_FOR="203.0.113.6", **proxy)
    assert other.status_code == 200


def _request(remote="10.0.0.1", forwarded=None):
    extra = {"HTTP_X_FORWARDED_FOR": forwarded} if forwarded is not None else {}
    return RequestFactory().get("/", REMOTE_ADDR=remote, **extra)


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.5", "10.0.0.1"),  # no trusted proxy: the header is the client's own words
        (1, "203.0.113.5", "203.0.113.5"),
        (1, "6.6.6.6, 203.0.113.5", "203.0.113.5"),  # forged entry on the left
        (2, "6.6.6.6, 203.0.113.5, 10.0.0.2", "203.0.113.5"),
        (2, "203.0.113.5", "10.0.0.1"),  # shorter than the proxy chain: not through our proxies
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
        (1, None, "10.0.0.1"),
    ],
)
def test_client_ip_takes_the_address_only_from_trusted_proxies(settings, proxies, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = proxies
    assert client_ip(_request(forwarded=forwarded)) == expected


def test_the_personal_information_log_uses_the_same_client_address():
    assert pii_client_ip is client_ip


def test_a_forged_x_forwarded_for_is_not_written_into_the_personal_information_log(settings):
    from core.pii import reveal_pii

    settings.TRUSTED_PROXY_COUNT = 0
    street = OrganizationFactory(level="street")
    viewer = UserFactory(role="staff", scope=street)
    viewer.has_perm = lambda perm: True
    reveal_pii(instance=viewer, organization=street, by=viewer, fields=("phone",),
               ip_address=client_ip(_request(remote="198.51.100.20", forwarded="6.6.6.6")))
    assert PIIAccessLog.objects.get().ip_address == "198.51.100.20"


# ---- the cache is down ----------------------------------------------------------------------------------------


def test_with_the_cache_down_the_token_login_still_answers_and_still_locks(settings, cache_down, user):
    with pytest.raises(redis.exceptions.ConnectionError):  # the fixture really points the cache at nothing
        cache.get("x")
    assert token_login("official", DEFAULT_PASSWORD).status_code == 200
    fail_token_logins(settings)
    assert token_login("official", DEFAULT_PASSWORD).status_code == 429


@pytest.mark.parametrize("url", [PAGE_URL, ADMIN_URL])
def test_with_the_cache_down_the_login_pages_still_log_in_and_lock(settings, cache_down, user, url):
    assert page_login(url, "official", DEFAULT_PASSWORD)[0].status_code == 302
    for _ in range(settings.LOGIN_FAILURE_LIMIT):
        assert page_login(url, "official", "wrong")[0].status_code == 200
    assert_page_locked(url)


def test_with_the_cache_down_public_pages_are_still_limited_not_500(small_rates, cache_down, client):
    codes = [client.get("/r/guess-token/").status_code for _ in range(4)]
    assert codes == [410, 410, 410, 429]


def test_with_the_cache_down_api_writes_are_still_limited_not_500(small_rates, cache_down, user):
    api = APIClient()
    api.force_authenticate(user)
    codes = [api.post("/api/v1/users/", {}, format="json").status_code for _ in range(4)]
    assert codes == [400, 400, 400, 429]


# ---- rate limits on the public and write endpoints -------------------------------------------------------------


def assert_throttled(response):
    assert response.status_code == 429
    assert int(response["Retry-After"]) > 0


@pytest.mark.parametrize(
    ("url", "status"),
    [("/r/guessed-token-{n}/", 410), ("/catalogue/NOPE-{n}/", 404), ("/wishes/wall/NOPE-{n}/", 404)],
)
def test_public_pages_answer_429_with_retry_after_past_the_limit(small_rates, client, url, status):
    for n in range(3):
        assert client.get(url.format(n=n)).status_code == status
    response = client.get(url.format(n=99))
    assert_throttled(response)
    assert "请求过于频繁" in response.content.decode()


def test_guessing_rating_tokens_by_post_is_limited_too(small_rates, client):
    for n in range(3):
        client.post(f"/r/guess-{n}/", {"rating": "5"})
    assert_throttled(client.post("/r/guess-99/", {"rating": "5"}))


def test_a_fresh_x_forwarded_for_does_not_reset_a_page_limit(small_rates, client):
    for n in range(3):
        client.get(f"/r/guess-{n}/", HTTP_X_FORWARDED_FOR=f"203.0.113.{n}")
    assert_throttled(client.get("/r/guess-99/", HTTP_X_FORWARDED_FOR="203.0.113.99"))


def test_another_address_has_its_own_page_limit(small_rates, client):
    for n in range(3):
        client.get(f"/r/guess-{n}/")
    assert client.get("/r/guess-99/", REMOTE_ADDR="198.51.100.9").status_code == 410


def test_open311_filing_answers_a_georeport_429_past_the_limit(small_rates):
    api = APIClient()
    for _ in range(3):
        assert api.post("/open311/v2/requests.json", {"service_code": "X"}).status_code == 400
    response = api.post("/open311/v2/requests.json", {"service_code": "X"})
    assert_throttled(response)
    body = response.json()
    assert isinstance(body, list) and body[0]["code"] == 429 and body[0]["description"]


def test_open311_reads_are_not_counted_as_filings(small_rates, settings):
    settings.RATE_LIMITS = {**small_rates, "api_anonymous": "100/min"}
    api = APIClient()
    for _ in range(3):
        api.post("/open311/v2/requests.json", {"service_code": "X"})
    assert api.get("/open311/v2/services.json").status_code == 200


def test_api_writes_are_limited_per_user(small_rates, user):
    api = APIClient()
    api.force_authenticate(user)
    for _ in range(3):
        assert api.post("/api/v1/users/", {}, format="json").status_code == 400
    assert_throttled(api.post("/api/v1/users/", {}, format="json"))
    other = APIClient()
    other.force_authenticate(UserFactory(role="staff", scope=user.scope))
    assert other.post("/api/v1/users/", {}, format="json").status_code == 400


def test_api_reads_are_not_counted_as_writes(small_rates, user):
    api = APIClient()
    api.force_authenticate(user)
    for _ in range(3):
        api.post("/api/v1/users/", {}, format="json")
    assert api.get("/api/v1/users/me/").status_code == 200


def test_anonymous_api_requests_are_limited_per_address(small_rates, settings, user):
    settings.LOGIN_FAILURE_LIMIT = 100
    for _ in range(3):
        assert token_login("official", "wrong").status_code == 400
    assert_throttled(token_login("official", DEFAULT_PASSWORD))
    assert token_login("official", DEFAULT_PASSWORD, REMOTE_ADDR="198.51.100.30").status_code == 200
