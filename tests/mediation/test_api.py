"""/api/v1/mediation-cases/: scoped (the battery), parties masked, actions through the services, stats."""

import dataclasses
import datetime

import pytest
from django.utils import timezone

from accounts.models import Role
from mediation.models import CaseStatus, DisputeCase
from tests.accounts.factories import UserFactory
from tests.grids.factories import grid_under, grid_worker_for
from tests.mediation.factories import DisputeCaseFactory
from tests.scoped_api import SCOPED_API_CHECKS, Cast, ScopedApi, check_name, client_as


def _mediator_in(org):
    """A staff member of `org` to mediate (the same one each time for one street)."""
    return UserFactory(role=Role.STAFF, scope=org)


def _case_in(org):
    grid = grid_under(org)
    return DisputeCaseFactory(grid=grid, mediator=_mediator_in(org))


def _payload(org) -> dict:
    grid = grid_under(org)
    return {
        "grid": grid.pk, "community": grid.community_id, "kind": "tenancy", "summary": "租金押金纠纷",
        "mediator": _mediator_in(org).pk,
        "parties": [{"name": "房东王", "phone": "13911112222"}, {"name": "租客刘", "phone": "13833334444"}],
    }  # fmt: skip


def _many(org, count):
    mediator = _mediator_in(org)
    grid = grid_under(org)
    for _ in range(count):
        DisputeCaseFactory(grid=grid, mediator=mediator)


MEDIATION_CASES = ScopedApi(
    url="/api/v1/mediation-cases/", make=_case_in, payload=_payload, update={"summary": "补充情况"}, make_many=_many
)


def grid_worker_cast() -> Cast:
    cast = Cast.build()
    return dataclasses.replace(
        cast, owner=grid_worker_for(grid_under(cast.home)), outsider=grid_worker_for(grid_under(cast.sibling))
    )


@pytest.mark.django_db
@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
def test_mediation_case_api_follows_staff_scope(check):
    check(MEDIATION_CASES)


@pytest.mark.django_db
@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
def test_mediation_case_api_follows_grid_worker_scope(check):
    # A grid worker names the grid (its community follows) and mediates themselves.
    payload = lambda org: {k: v for k, v in _payload(org).items() if k not in ("mediator", "community")}  # noqa: E731
    skips = {"integrator_writes_only_if_allowed": "integrators are covered by the staff run; one is no mediator"}
    check(dataclasses.replace(MEDIATION_CASES, build_cast=grid_worker_cast, payload=payload, skips=skips))


@pytest.mark.django_db
def test_party_phones_are_masked_in_the_api(cast):
    case = _case_in(cast.home)
    body = client_as(cast.owner).get(f"/api/v1/mediation-cases/{case.pk}/").json()
    assert [p["phone"] for p in body["parties"]] == ["139****2222", "138****4444"]
    assert "13911112222" not in str(body)


@pytest.mark.django_db
def test_case_opened_through_the_api_needs_two_parties(cast):
    payload = _payload(cast.home) | {"parties": [{"name": "只有一方"}]}
    response = client_as(cast.owner).post("/api/v1/mediation-cases/", payload, format="json")
    assert response.status_code == 400
    assert "parties" in response.json()


@pytest.mark.django_db
def test_session_then_agreement_through_the_actions(cast):
    case = _case_in(cast.home)
    client = client_as(cast.owner)
    url = f"/api/v1/mediation-cases/{case.pk}/"
    held = (timezone.now() - datetime.timedelta(hours=2)).isoformat()
    assert client.post(f"{url}sessions/", {"held_at": held, "notes": "双方陈述"}, format="json").status_code == 201
    refused = client.post(f"{url}conclude/", {"action": "agree", "text": " "}, format="json")
    assert refused.status_code == 400
    done = client.post(f"{url}conclude/", {"action": "agree", "text": "楼上负责维修。"}, format="json")
    assert done.status_code == 200, done.content
    assert done.json()["status"] == CaseStatus.AGREED
    again = client.post(f"{url}conclude/", {"action": "fail", "text": "反悔"}, format="json")
    assert again.status_code == 409


@pytest.mark.django_db
def test_official_cannot_record_a_session(cast):
    case = _case_in(cast.home)
    response = client_as(cast.official).post(
        f"/api/v1/mediation-cases/{case.pk}/sessions/", {"held_at": timezone.now().isoformat(), "notes": "x"}
    )
    assert response.status_code == 403
    assert not case.sessions.exists()


@pytest.mark.django_db
def test_stats_count_opened_and_outcomes_per_child(cast):
    case = _case_in(cast.home)
    DisputeCase.objects.filter(pk=case.pk).update(
        status=CaseStatus.REFERRED, referred_to="司法所", concluded_at=timezone.now()
    )
    _case_in(cast.home)
    _case_in(cast.sibling)
    body = client_as(cast.official).get("/api/v1/mediation-cases/stats/", {"org": cast.district.pk}).json()
    assert (body["opened"], body["referred"], body["agreed"]) == (3, 1, 0)
    by_street = {line["id"]: line for line in body["children"]}
    assert by_street[cast.home.pk]["opened"] == 2
    assert by_street[cast.sibling.pk]["opened"] == 1
    outsider = client_as(cast.outsider).get("/api/v1/mediation-cases/stats/", {"org": cast.home.pk})
    assert outsider.status_code == 404
