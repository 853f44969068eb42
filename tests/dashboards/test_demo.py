"""The demo official lands on a filled city dashboard: seed_demo ends with a full refresh of the summary table."""

from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from core.demo import demo_builders
from core.figures import families
from dashboards.models import LeafMonthFact, RefreshState
from dashboards.report import dashboard_for
from orgs.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker, tmp_path_factory):
    out = StringIO()
    media = tmp_path_factory.mktemp("media")
    with django_db_blocker.unblock(), override_settings(DEBUG=True, MEDIA_ROOT=media), transaction.atomic():
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def city_board(seeded):
    return dashboard_for(Organization.objects.get(code="NG"))


def test_the_dashboards_builder_runs_after_every_other_builder():
    assert [entry.key for entry in demo_builders][-1] == "dashboards.demo.build"


def test_seeding_ends_with_a_full_refresh(seeded):
    state = RefreshState.objects.get(pk=1)
    assert state.full and LeafMonthFact.objects.exists()
    assert "dashboards: summary table rebuilt" in seeded


def test_the_city_dashboard_shows_figures_in_every_family(city_board):
    assert [report.family.key for report in city_board.families] == [family.key for family in families()]
    for report in city_board.families:
        assert any(tile.value for tile in report.tiles), f"{report.family.key}: every tile is empty"


def test_the_city_dashboard_trend_covers_a_year(city_board):
    assert len(city_board.trend_months) == 12
    non_zero_months = {index for values in city_board.trend.values() for index, v in enumerate(values) if v}
    assert len(non_zero_months) >= 10
    assert sum(1 for v in city_board.trend["tickets.new"] if v) >= 10


def test_the_city_dashboard_lists_the_streets_with_figures(city_board):
    assert city_board.children
    assert any(value for row in city_board.children for value in row.values.values())
