"""The scoped-API matrix every viewset must pass: one cast of users, one list of checks, reused by every app.

The cast (see `Cast`) is the same everywhere: an owner whose scope holds the object, an outsider scoped to a sibling
street (must see nothing), a district official (reads, never writes), an integrator (writes through the API) and an
anonymous client. An app describes its endpoint once with `ScopedApi` and runs every check:

    MEMBERS = ScopedApi(
        url="/api/v1/party-members/",
        make=lambda org: PartyMemberFactory(organization=org),
        payload=lambda org: {"name": "新党员", "id_number": make_id_number(), "organization": org.pk},
        update={"name": "改名"},
    )

    @pytest.mark.django_db
    @pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
    def test_party_member_api_follows_scope(check):
        check(MEMBERS)

`make(org)` creates one object somewhere inside `org`'s subtree; `payload(org)` is a valid create body placing the
new object inside `org`'s subtree. Both are called with the owner's street or with the sibling street.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Role, User
from orgs.models import Organization
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory

LIST_ROWS = 105  # more than the larger page size, so both pages are full


@dataclass
class Cast:
    """A district with two streets; the owner works in `home`, the outsider in `sibling`."""

    district: Organization
    home: Organization
    sibling: Organization
    owner: User
    outsider: User
    official: User
    integrator: User

    @classmethod
    def build(cls) -> Cast:
        district = OrganizationFactory(level=Level.DISTRICT, name="宣州区委")
        home = OrganizationFactory(level=Level.STREET, parent=district, name="西林街道党工委")
        sibling = OrganizationFactory(level=Level.STREET, parent=district, name="澄江街道党工委")
        return cls(
            district=district,
            home=home,
            sibling=sibling,
            owner=UserFactory(role=Role.STAFF, scope=home),
            outsider=UserFactory(role=Role.STAFF, scope=sibling),
            official=UserFactory(role=Role.OFFICIAL, scope=district),
            integrator=UserFactory(role=Role.INTEGRATOR, scope=home),
        )


def client_as(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client


@dataclass(frozen=True)
class ScopedApi:
    """How to exercise one scoped viewset: its list URL, how to make a row in a subtree, how to create one."""

    url: str
    make: Callable[[Organization], models.Model]
    payload: Callable[[Organization], dict]
    update: dict
    # Cast members (attribute names of `Cast`) that may write; the others get 403 on every write.
    writers: tuple[str, ...] = ("owner", "integrator")
    make_many: Callable[[Organization, int], object] | None = None
    build_cast: Callable[[], Cast] = field(default=Cast.build)

    def detail(self, obj: models.Model) -> str:
        return f"{self.url}{obj.pk}/"

    def list_ids(self, client: APIClient, **params) -> list:
        response = client.get(self.url, {"page_size": 200, **params})
        assert response.status_code == 200, response.content
        return [row["id"] for row in response.json()["results"]]

    def create_many(self, org: Organization, count: int) -> None:
        if self.make_many is not None:
            self.make_many(org, count)
        else:
            for _ in range(count):
                self.make(org)


def _status(response) -> tuple[int, bytes]:
    return response.status_code, response.content[:300]


def anonymous_gets_401_everywhere(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    client = client_as(None)
    assert client.get(api.url).status_code == 401
    assert client.get(api.detail(obj)).status_code == 401
    assert client.post(api.url, api.payload(cast.home), format="json").status_code == 401
    assert client.patch(api.detail(obj), api.update, format="json").status_code == 401
    assert client.delete(api.detail(obj)).status_code == 401
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()


def outsider_gets_404_and_sees_nothing(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    client = client_as(cast.outsider)
    assert obj.pk not in api.list_ids(client)
    assert client.get(api.detail(obj)).status_code == 404
    assert client.patch(api.detail(obj), api.update, format="json").status_code == 404
    assert client.delete(api.detail(obj)).status_code == 404
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()


def official_reads_in_scope_but_gets_403_on_writes(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    before = type(obj)._default_manager.count()
    client = client_as(cast.official)
    assert obj.pk in api.list_ids(client)
    assert client.get(api.detail(obj)).status_code == 200
    assert _status(client.post(api.url, api.payload(cast.home), format="json"))[0] == 403
    assert _status(client.patch(api.detail(obj), api.update, format="json"))[0] == 403
    assert _status(client.delete(api.detail(obj)))[0] == 403
    assert type(obj)._default_manager.count() == before


def owner_reads_creates_updates_and_deletes(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    client = client_as(cast.owner)
    assert obj.pk in api.list_ids(client)
    assert client.get(api.detail(obj)).status_code == 200

    created = client.post(api.url, api.payload(cast.home), format="json")
    assert created.status_code == 201, created.content
    assert created.json()["id"] in api.list_ids(client)

    updated = client.patch(api.detail(obj), api.update, format="json")
    assert updated.status_code == 200, updated.content
    assert {key: updated.json()[key] for key in api.update} == api.update

    doomed = api.make(cast.home)
    assert _status(client.delete(api.detail(doomed)))[0] == 204
    assert not type(doomed)._default_manager.filter(pk=doomed.pk).exists()


def integrator_writes_only_if_allowed(api: ScopedApi) -> None:
    cast = api.build_cast()
    api.make(cast.home)
    response = client_as(cast.integrator).post(api.url, api.payload(cast.home), format="json")
    expected = 201 if "integrator" in api.writers else 403
    assert response.status_code == expected, response.content


def create_into_another_scope_is_refused(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    before = type(obj)._default_manager.count()
    response = client_as(cast.owner).post(api.url, api.payload(cast.sibling), format="json")
    assert response.status_code == 400, response.content
    assert type(obj)._default_manager.count() == before


def list_queries_do_not_grow_with_page_size(api: ScopedApi) -> None:
    cast = api.build_cast()
    api.create_many(cast.home, LIST_ROWS)
    client = client_as(cast.owner)
    counts = {}
    for size in (10, 100):
        with CaptureQueriesContext(connection) as queries:
            response = client.get(api.url, {"page_size": size})
        assert response.status_code == 200
        assert len(response.json()["results"]) == size
        counts[size] = len(queries)
    assert counts[10] == counts[100], counts


SCOPED_API_CHECKS = [
    anonymous_gets_401_everywhere,
    outsider_gets_404_and_sees_nothing,
    official_reads_in_scope_but_gets_403_on_writes,
    owner_reads_creates_updates_and_deletes,
    integrator_writes_only_if_allowed,
    create_into_another_scope_is_refused,
    list_queries_do_not_grow_with_page_size,
]


def check_name(check: Callable) -> str:
    return check.__name__
