"""The OpenAPI schema tells the truth: schemathesis calls every operation and checks each answer against it.

Integrators generate their clients from /api/schema/, so an answer the schema does not describe (a field it calls
non-nullable arriving as null, a bare list where it promises a page, a status code it never mentions) breaks them
as surely as a 500. For every operation, a bounded number of generated requests is sent in-process (no server) to
the WSGI app, once as the superuser and once as a community's staff member, over the demo city; every answer must
be no 5xx, carry a documented status code, and match the documented body.

Run with `make schemathesis` (CI runs it against PostgreSQL); `make test` leaves it out. SCHEMATHESIS_MAX_EXAMPLES
sets the number of requests per operation and user.
"""

from __future__ import annotations

import os
from io import StringIO

import pytest
import schemathesis
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import transaction
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

pytestmark = [pytest.mark.schemathesis, pytest.mark.django_db]

MAX_EXAMPLES = int(os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "6"))
DEMO_MEMBERS = 520  # the fewest the demo tree takes: every kind of row exists, seeded in seconds
ALL_CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# SCHEMATHESIS_CHECKS=not_a_server_error,response_schema_conformance narrows the checks (to measure one kind alone).
CHECKS = [c for c in ALL_CHECKS if c.__name__ in os.environ.get("SCHEMATHESIS_CHECKS", c.__name__).split(",")]
USERS = {"superuser": "admin", "community_staff": "staff"}  # usernames of accounts.demo's logins

schema = schemathesis.openapi.from_wsgi("/api/schema/", get_wsgi_application())


class _Rollback(Exception):
    pass


@pytest.fixture(scope="module", autouse=True)
def _connection_kept_across_requests():
    """The WSGI app closes the database connection when a request starts and ends (CONN_MAX_AGE), which would end
    the transaction the demo city lives in (on PostgreSQL; SQLite's in-memory test database is never closed).
    Django's own test client disconnects the same handlers while it sends a request; here they stay off for the
    module."""
    from django.core.signals import request_finished, request_started
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


@pytest.fixture(scope="module")
def demo_city(django_db_setup, django_db_blocker):
    """The demo city, seeded once for the module inside a transaction that is rolled back when the module ends.

    Each test's own transaction is a savepoint inside it, so what one operation writes never reaches the next.
    """
    from django.test import override_settings

    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), fast_hashing:
        try:
            with transaction.atomic():
                call_command("seed_demo", force=True, members=DEMO_MEMBERS, stdout=StringIO())
                yield
                raise _Rollback
        except _Rollback:
            pass


@pytest.fixture(params=sorted(USERS), scope="module")
def token(request, demo_city, django_db_blocker) -> str:
    from rest_framework.authtoken.models import Token

    from accounts.models import User

    with django_db_blocker.unblock():
        user = User.objects.get(username=USERS[request.param])
        return Token.objects.get_or_create(user=user)[0].key


@pytest.fixture(autouse=True)
def _generous_rate_limits(settings):
    # Generated writes come faster than any person's; the limits themselves are tested in tests/core.
    settings.RATE_LIMITS = dict.fromkeys(settings.RATE_LIMITS, "100000/min")


@schema.parametrize()
@settings(
    max_examples=MAX_EXAMPLES,
    derandomize=True,
    deadline=None,
    database=None,
    # Generated requests only: no shrinking (the first failing request is reported as it was), and none of the
    # coverage phase's explicit boundary examples, which are not bounded by max_examples (~150 per operation).
    phases=[Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_every_answer_matches_the_schema(case, token):
    case.call_and_validate(headers={"Authorization": f"Token {token}"}, checks=CHECKS)
