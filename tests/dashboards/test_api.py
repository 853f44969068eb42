"""/api/v1/dashboard-facts/ in the scoped-API battery, and /api/v1/dashboard/: the figures of a node (?org / ?grid)."""

import datetime
import itertools

import pytest

from dashboards.models import LeafMonthFact
from dashboards.refresh import refresh_dashboards
from tests.conftest import client_for
from tests.dashboards.world import build_world, official_of, staff_of
from tests.grids.factories import community_under
from tests.scoped_api import SCOPED_API_CHECKS, ScopedApi, check_name

pytestmark = pytest.mark.django_db


_metrics = itertools.count()


def make_fact(org) -> LeafMonthFact:
    return LeafMonthFact.objects.create(
        community=community_under(org), month=datetime.date(2026, 11, 1), metric=f"t.{next(_metrics)}", value=3
    )


def make_facts(org, count: int) -> None:
    community = community_under(org)
    LeafMonthFact.objects.bulk_create(
        LeafMonthFact(community=community, month=datetime.date(2026, 11, 1), metric=f"tickets.many{n}", value=n)
        for n in range(count)
    )


DASHBOARD = ScopedApi(
    url="/api/v1/dashboard-facts/",
    make=make_fact,
    make_many=make_facts,
    payload=lambda org: {},
    update={"value": 1},
    methods=frozenset(),  # read-only: the facts are written by the refresh only
)


@pytest.mark.parametrize("check", SCOPED_API_CHECKS, ids=check_name)
def test_dashboard_api_follows_scope(check):
    check(DASHBOARD)


@pytest.fixture
def world():
    world = build_world(seed=9, tickets=30)
    refresh_dashboards(full=True)
    return world


def test_the_api_answers_the_figures_the_page_shows(client, world):
    official = official_of(world.district)
    answer = client_for(official).get("/api/v1/dashboard/", {"org": world.street.pk, "month": "2026-11"})
    assert answer.status_code == 200, answer.content
    body = answer.json()
    client.force_login(official)
    page = client.get(f"/dashboard/org/{world.street.pk}/?month=2026-11").context["board"]
    api_figures = {f["key"]: f["value"] for family in body["families"] for f in family["figures"]}
    page_figures = {t.figure.key: t.value for report in page.families for t in report.tiles}
    assert api_figures == page_figures
    assert [c["id"] for c in body["children"]] == [c.pk for c in world.communities]
    assert body["month"] == "2026-11" and body["node"]["kind"] == "org"


def test_a_grid_node_through_the_api(world):
    grid = world.grids[0]
    answer = client_for(staff_of(grid.community)).get("/api/v1/dashboard/", {"grid": grid.pk})
    assert answer.status_code == 200 and answer.json()["node"] == {
        "kind": "grid", "id": grid.pk, "name": grid.name, "level_label": grid.get_grid_level_display(),
    }  # fmt: skip


def test_a_sibling_communitys_staff_get_404(world):
    mine, theirs = world.communities
    client = client_for(staff_of(mine))
    assert client.get("/api/v1/dashboard/", {"org": mine.pk}).status_code == 200
    assert client.get("/api/v1/dashboard/", {"org": theirs.pk}).status_code == 404
    assert client.get("/api/v1/dashboard/", {"org": 2**31 - 1}).status_code == 404
    their_grid = next(g for g in world.grids if g.community_id == theirs.pk)
    assert client.get("/api/v1/dashboard/", {"grid": their_grid.pk}).status_code == 404


@pytest.mark.parametrize("month", ["2026-13", "2026/11", "x"])
def test_a_bad_month_is_a_400_on_the_month_field(world, month):
    answer = client_for(official_of(world.district)).get("/api/v1/dashboard/", {"org": world.street.pk, "month": month})
    assert answer.status_code == 400 and set(answer.json()) == {"month"}


def test_org_and_grid_together_is_a_400(world):
    client = client_for(official_of(world.district))
    answer = client.get("/api/v1/dashboard/", {"org": world.street.pk, "grid": world.grids[0].pk})
    assert answer.status_code == 400


def test_the_endpoint_is_in_the_schema():
    from drf_spectacular.generators import SchemaGenerator

    schema = SchemaGenerator().get_schema(request=None, public=True)
    parameters = {p["name"] for p in schema["paths"]["/api/v1/dashboard/"]["get"]["parameters"]}
    assert {"org", "grid", "month"} <= parameters
