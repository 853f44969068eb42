"""The dashboard pages: scope root, drill-down, scoping 404, constant queries, month parameter, xlsx, and figures
equal to the live computation after a refresh."""

import io
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import load_workbook

from accounts.models import Role
from dashboards.refresh import refresh_dashboards
from orgs.rules import Level
from residents.coverage import coverage_report
from services.tickets.stats import ticket_stats
from tests.accounts.factories import UserFactory
from tests.dashboards.world import build_world, official_of, staff_of
from tests.grids.factories import GridFactory, grid_worker_for
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def world():
    world = build_world(seed=7, tickets=60)
    refresh_dashboards(full=True)
    return world


def tiles(response) -> dict:
    board = response.context["board"]
    return {tile.figure.key: tile.value for report in board.families for tile in report.tiles}


def test_after_a_refresh_the_page_shows_the_live_figures(client, world):
    client.force_login(official_of(world.district))
    response = client.get(f"/dashboard/org/{world.street.pk}/")
    assert response.status_code == 200
    shown = tiles(response)
    live_tickets = ticket_stats(node=world.street).node
    live_coverage = coverage_report(node=world.street)
    assert shown["tickets.open"] == live_tickets["open"]
    assert shown["tickets.overdue"] == live_tickets["overdue"]
    assert shown["coverage.buildings_without_households"] == live_coverage.buildings_without_households
    assert shown["coverage.households_without_residents"] == live_coverage.households_without_residents
    assert shown["coverage.residents_missing_id"] == live_coverage.residents_missing_id
    assert shown["coverage.residents_missing_phone"] == live_coverage.residents_missing_phone
    assert shown["coverage.care_households"] == live_coverage.care_households
    assert "数据更新于" in response.content.decode()


def test_the_page_embeds_the_chart_payload_of_the_contract(client, world):
    client.force_login(official_of(world.district))
    response = client.get(f"/dashboard/org/{world.communities[0].pk}/?month=2026-11")
    content = response.content.decode()
    assert 'id="dashboard-data"' in content
    data = response.context["chart_data"]
    assert set(data) == {"node", "month", "computed_at", "trend", "charts", "map"}
    assert data["node"]["kind"] == "org" and len(data["trend"]["months"]) == 12
    assert data["month"] == "2026-11" and data["trend"]["months"][-1] == "2026-11"
    assert {c["key"] for c in data["charts"]} >= {"tickets.by_status"}
    features = data["map"]["features"]["features"]
    assert features and features[0]["properties"]["url"].startswith("/dashboard/grid/")
    assert set(features[0]["properties"]["values"]) == {m["key"] for m in data["map"]["metrics"]}
    json.dumps(data)


def test_dashboard_home_opens_on_the_scope_root(client, world):
    client.force_login(staff_of(world.street))
    assert client.get("/dashboard/").url == f"/dashboard/org/{world.street.pk}/"
    worker = grid_worker_for(world.grids[0])
    client.force_login(worker)
    assert client.get("/dashboard/").url == f"/dashboard/grid/{world.grids[0].pk}/"
    assert client.get(f"/dashboard/grid/{world.grids[0].pk}/").status_code == 200


def test_drill_down_from_street_to_grid_with_breadcrumb(client, world):
    client.force_login(official_of(world.district))
    street = client.get(f"/dashboard/org/{world.street.pk}/")
    community = world.communities[0]
    assert f"/dashboard/org/{community.pk}/" in [row.url for row in street.context["board"].children]
    page = client.get(f"/dashboard/org/{community.pk}/")
    top_grids = [row.node for row in page.context["board"].children]
    assert top_grids and all(g.community_id == community.pk and g.parent_id is None for g in top_grids)
    grid_page = client.get(f"/dashboard/grid/{top_grids[0].pk}/")
    crumbs = [node.name for node, _url in grid_page.context["breadcrumb"]]
    assert crumbs[:3] == [world.district.name, world.street.name, community.name]


def test_sibling_community_staff_get_404(client, world):
    mine, theirs = world.communities
    client.force_login(staff_of(mine))
    assert client.get(f"/dashboard/org/{mine.pk}/").status_code == 200
    assert client.get(f"/dashboard/org/{theirs.pk}/").status_code == 404
    assert client.get(f"/dashboard/org/{world.street.pk}/").status_code == 404
    their_grid = next(g for g in world.grids if g.community_id == theirs.pk)
    assert client.get(f"/dashboard/grid/{their_grid.pk}/").status_code == 404
    assert client.get(f"/dashboard/org/{theirs.pk}/export.xlsx").status_code == 404
    assert client.get("/dashboard/org/999999/").status_code == 404


def test_anonymous_is_sent_to_login(client, world):
    assert client.get(f"/dashboard/org/{world.street.pk}/").status_code == 302


def _page_queries(client, node) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(f"/dashboard/org/{node.pk}/").status_code == 200
    return len(queries)


def test_query_count_is_the_same_with_3_or_30_children(client):
    district = OrganizationFactory(level=Level.DISTRICT)
    small, large = (OrganizationFactory(level=Level.STREET, parent=district) for _ in range(2))
    for street, count in ((small, 3), (large, 30)):
        for _ in range(count):
            community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
            GridFactory(community=community, outline=None)
    refresh_dashboards(full=True)
    client.force_login(UserFactory(role=Role.OFFICIAL, scope=district))
    _page_queries(client, small)  # warm caches (content types, sessions)
    assert _page_queries(client, small) == _page_queries(client, large)


@pytest.mark.parametrize("month", ["2026-13", "26-01", "abc", "2026-1"])
def test_a_bad_month_is_a_400(client, world, month):
    client.force_login(official_of(world.district))
    assert client.get(f"/dashboard/org/{world.street.pk}/", {"month": month}).status_code == 400


def test_the_xlsx_export_has_a_sheet_per_family_and_the_children(client, world):
    client.force_login(official_of(world.district))
    response = client.get(f"/dashboard/org/{world.street.pk}/export.xlsx?month=2026-11")
    assert response.status_code == 200
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["组织", "覆盖", "工单", "社区服务", "共驻共建", "矛盾调解", "下级"]
    assert [row[0] for row in book["下级"].iter_rows(min_row=2, values_only=True)] == [
        c.name for c in world.communities
    ]
