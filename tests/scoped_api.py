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
new object inside `org`'s subtree. Both are called with the owner's street or with the sibling street. Ids that
differ between `payload(home)` and `payload(sibling)` are the body's foreign keys: named from the sibling street
they must answer exactly like a nonexistent id; so must `filters(cast)` (query parameters naming sibling rows) and
every choice filter of the viewset that the sibling payload names. A viewset that does not offer every method says
so in `methods` (the others must answer 405 and change nothing); one not read by every cast member in `readers`.

Every viewset of config.api.router must be described here: tests/test_api_battery.py walks the router.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from accounts.models import Role, User
from orgs.models import Organization
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory

LIST_ROWS = 105  # more than the larger page size, so both pages are full
MISSING_ID = 2**31 - 1
ALL_METHODS = frozenset({"create", "update", "delete"})


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
    # Which of create/update/delete the viewset offers; the rest must answer 405.
    methods: frozenset[str] = ALL_METHODS
    # Cast members who read the list and the rows; the others get 403 on reads.
    readers: tuple[str, ...] = ("owner", "integrator", "official")
    filters: Callable[[Cast], dict] | None = None
    # Checks that do not apply, by name, each with the reason (e.g. a public catalogue every outsider reads).
    skips: dict[str, str] = field(default_factory=dict)

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


def _payload(api: ScopedApi, org: Organization) -> dict:
    return api.payload(org) if "create" in api.methods else {}


def anonymous_gets_401_everywhere(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    client = client_as(None)
    assert client.get(api.url).status_code == 401
    assert client.get(api.detail(obj)).status_code == 401
    assert client.post(api.url, _payload(api, cast.home), format="json").status_code == 401
    assert client.patch(api.detail(obj), api.update, format="json").status_code == 401
    assert client.delete(api.detail(obj)).status_code == 401
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()


def outsider_gets_404_and_sees_nothing(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    client = client_as(cast.outsider)  # staff like the owner, one street over
    assert obj.pk not in api.list_ids(client)
    assert client.get(api.detail(obj)).status_code == 404
    absent = {method: 404 if method in api.methods else 405 for method in ALL_METHODS}
    assert client.patch(api.detail(obj), api.update, format="json").status_code == absent["update"]
    assert client.delete(api.detail(obj)).status_code == absent["delete"]
    assert type(obj)._default_manager.filter(pk=obj.pk).exists()


def official_reads_in_scope_but_gets_403_on_writes(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    before = type(obj)._default_manager.count()
    client = client_as(cast.official)
    if "official" in api.readers:
        assert obj.pk in api.list_ids(client)
        assert client.get(api.detail(obj)).status_code == 200
    else:  # not theirs to read: refused outright (accounts) or simply not there (someone else's notification)
        assert client.get(api.detail(obj)).status_code in (403, 404)
    refused = {method: (403,) if method in api.methods else (403, 405) for method in ALL_METHODS}
    assert _status(client.post(api.url, _payload(api, cast.home), format="json"))[0] in refused["create"]
    assert _status(client.patch(api.detail(obj), api.update, format="json"))[0] in refused["update"]
    assert _status(client.delete(api.detail(obj)))[0] in refused["delete"]
    assert type(obj)._default_manager.count() == before


def owner_reads_creates_updates_and_deletes(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    client = client_as(cast.owner)
    assert obj.pk in api.list_ids(client)
    assert client.get(api.detail(obj)).status_code == 200

    if "create" in api.methods:
        created = client.post(api.url, api.payload(cast.home), format="json")
        assert created.status_code == 201, created.content
        assert created.json()["id"] in api.list_ids(client)
    else:
        assert client.post(api.url, {}, format="json").status_code in (403, 405)

    updated = client.patch(api.detail(obj), api.update, format="json")
    if "update" in api.methods:
        assert updated.status_code == 200, updated.content
        assert {key: updated.json()[key] for key in api.update} == api.update
    else:
        assert updated.status_code == 405, updated.content

    doomed = api.make(cast.home)
    if "delete" in api.methods:
        assert _status(client.delete(api.detail(doomed)))[0] == 204
        assert not type(doomed)._default_manager.filter(pk=doomed.pk).exists()
    else:
        assert _status(client.delete(api.detail(doomed)))[0] == 405
        assert type(doomed)._default_manager.filter(pk=doomed.pk).exists()


def writes_answer_the_row_as_get_shows_it(api: ScopedApi) -> None:
    """POST and PATCH answer the same representation as GET (issue 10): a client reads one shape per resource."""
    cast = api.build_cast()
    obj = api.make(cast.home)
    client = client_as(cast.owner)
    if "create" in api.methods:
        created = client.post(api.url, api.payload(cast.home), format="json")
        assert created.status_code == 201, created.content
        assert created.json() == client.get(f"{api.url}{created.json()['id']}/").json()
    if "update" in api.methods:
        updated = client.patch(api.detail(obj), api.update, format="json")
        assert updated.status_code == 200, updated.content
        assert updated.json() == client.get(api.detail(obj)).json()


def integrator_writes_only_if_allowed(api: ScopedApi) -> None:
    cast = api.build_cast()
    api.make(cast.home)
    if "create" not in api.methods:
        return
    response = client_as(cast.integrator).post(api.url, api.payload(cast.home), format="json")
    expected = 201 if "integrator" in api.writers else 403
    assert response.status_code == expected, response.content


def create_into_another_scope_is_refused(api: ScopedApi) -> None:
    cast = api.build_cast()
    obj = api.make(cast.home)
    if "create" not in api.methods:
        return
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


def _without_ids(answer) -> str:
    """An error answer with its ids blanked: "Invalid pk "12"" and "Invalid pk "99"" read the same."""
    return re.sub(r"\d+", "#", json.dumps(answer, sort_keys=True, ensure_ascii=False))


def _is_id(value) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _viewset(api: ScopedApi):
    from config.api import router

    prefix = api.url.removeprefix("/api/v1/").strip("/")
    return next(v for p, v, _ in router.registry if p == prefix)


def _is_relation(api: ScopedApi, name: str) -> bool:
    model = _viewset(api).queryset.model
    try:
        return model._meta.get_field(name).is_relation
    except FieldDoesNotExist:  # an input-only list of ids (a whistle's called units)
        return name.endswith("s")


def _body_foreign_keys(api: ScopedApi, home: dict, away: dict) -> dict:
    """The relations whose ids differ between a home and a sibling payload: what the body names by id."""
    keys = {}
    for key, value in home.items():
        if not _is_relation(api, key):
            continue
        other = away.get(key)
        if _is_id(value) and _is_id(other) and value != other:
            keys[key] = (other, MISSING_ID)
        elif isinstance(other, list) and other and all(map(_is_id, other)) and value != other:
            keys[key] = (other, [MISSING_ID])
    return keys


def out_of_scope_ids_in_bodies_answer_like_nonexistent(api: ScopedApi) -> None:
    if "create" not in api.methods:
        return
    cast = api.build_cast()
    api.make(cast.home)
    home, away = api.payload(cast.home), api.payload(cast.sibling)
    client = client_as(cast.owner)
    for key, (outside, missing) in _body_foreign_keys(api, home, away).items():
        named_outside = client.post(api.url, {**home, key: outside}, format="json")
        named_missing = client.post(api.url, {**home, key: missing}, format="json")
        assert named_outside.status_code == named_missing.status_code == 400, (key, named_outside.content)
        assert _without_ids(named_outside.json()) == _without_ids(named_missing.json()), key


def _choice_filter_names(api: ScopedApi) -> set[str]:
    from core.api.filters import ScopedFilterBackend

    viewset = _viewset(api)
    filterset = ScopedFilterBackend().get_filterset_class(viewset(), viewset.queryset)
    if filterset is None:
        return set()
    return {name for name, f in filterset.base_filters.items() if hasattr(f, "queryset")}


def out_of_scope_ids_in_filters_answer_like_nonexistent(api: ScopedApi) -> None:
    cast = api.build_cast()
    api.make(cast.home)
    params = dict(api.filters(cast)) if api.filters is not None else {}
    if "create" in api.methods:
        home, away = api.payload(cast.home), api.payload(cast.sibling)
        names = _choice_filter_names(api)
        named = {k: v for k, v in away.items() if k in names and _is_id(v) and v != home.get(k)}
        params = {**named, **params}
    client = client_as(cast.owner)
    for name, outside in params.items():
        named_outside = client.get(api.url, {name: outside})
        named_missing = client.get(api.url, {name: MISSING_ID})
        assert named_outside.status_code == named_missing.status_code == 400, (name, named_outside.content)
        assert _without_ids(named_outside.json()) == _without_ids(named_missing.json()), name


def _declared(check: Callable[[ScopedApi], None]) -> Callable[[ScopedApi], None]:
    """Run `check` unless the endpoint declared it does not apply (the reason is its `skips` entry)."""

    def run(api: ScopedApi) -> None:
        if check.__name__ in api.skips:
            return
        check(api)

    run.__name__ = check.__name__
    return run


SCOPED_API_CHECKS = [
    anonymous_gets_401_everywhere,
    outsider_gets_404_and_sees_nothing,
    official_reads_in_scope_but_gets_403_on_writes,
    owner_reads_creates_updates_and_deletes,
    writes_answer_the_row_as_get_shows_it,
    integrator_writes_only_if_allowed,
    create_into_another_scope_is_refused,
    out_of_scope_ids_in_bodies_answer_like_nonexistent,
    out_of_scope_ids_in_filters_answer_like_nonexistent,
    list_queries_do_not_grow_with_page_size,
]
SCOPED_API_CHECKS = [_declared(check) for check in SCOPED_API_CHECKS]


def check_name(check: Callable) -> str:
    return check.__name__
