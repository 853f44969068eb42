"""Mediation cases counted beside the ticket statistics: mediation registers a statistics family (core.statistics)
that /api/v1/ticket-stats/ includes, scoped to the reader, without services importing mediation."""

import pytest
from django.utils import timezone

from accounts.models import Role
from core.registry import Registry
from core.statistics import family_figures, statistics_families
from mediation.models import CaseStatus, DisputeCase
from tests.accounts.factories import UserFactory
from tests.conftest import client_for
from tests.grids.factories import grid_under
from tests.mediation.factories import DisputeCaseFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/ticket-stats/"


def _case_in(street):
    mediator = UserFactory(role=Role.STAFF, scope=street)
    return DisputeCaseFactory(grid=grid_under(street), mediator=mediator, opened_at=timezone.now())


def test_mediation_registers_its_statistics_family():
    assert statistics_families.get("mediation") == "mediation.stats.mediation_family"


def test_ticket_stats_show_mediation_counts_of_the_same_node(cast):
    agreed = _case_in(cast.home)
    DisputeCase.objects.filter(pk=agreed.pk).update(status=CaseStatus.AGREED, concluded_at=timezone.now())
    _case_in(cast.home)
    _case_in(cast.sibling)
    body = client_for(cast.official).get(URL, {"org": cast.district.pk}).json()
    mediation = body["families"]["mediation"]
    assert (mediation["id"], mediation["opened"], mediation["agreed"]) == (cast.district.pk, 3, 1)
    assert {line["id"]: line["opened"] for line in mediation["children"]}[cast.home.pk] == 2


def test_the_family_counts_only_cases_the_reader_may_see(cast):
    _case_in(cast.home)
    _case_in(cast.sibling)
    figures = family_figures(node=cast.district, fetched_by=cast.owner)
    assert figures["mediation"]["opened"] == 1


def test_family_figures_calls_each_registered_family(monkeypatch):
    families = Registry("test families")
    families.register("echo", "tests.mediation.test_statistics_family.echo_family")
    monkeypatch.setattr("core.statistics.statistics_families", families)
    assert family_figures(node="n", fetched_by="u") == {"echo": {"node": "n", "by": "u"}}


def echo_family(*, node, fetched_by) -> dict:
    return {"node": node, "by": fetched_by}
