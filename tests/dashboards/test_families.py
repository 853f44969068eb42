"""Each figure family, refreshed into the summary table and rolled up, against hand-written SQL on factory data."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from core.figures import add_months, month_start
from dashboards.refresh import refresh_dashboards
from dashboards.selectors import node_counters
from tests.dashboards.world import build_world

pytestmark = pytest.mark.django_db


def sql_one(sql: str, params: list) -> float:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return float(cursor.fetchone()[0] or 0)


def in_subtree(org) -> tuple[str, list]:
    return (
        "t.community_id IN (SELECT id FROM orgs_organization WHERE tree_id = %s AND lft BETWEEN %s AND %s)",
        [org.tree_id, org.lft, org.rght],
    )


def month_bounds(month: datetime.date) -> list:
    """The local month's first and next month's first moment, as the database stores a datetime (SQLite keeps UTC
    text, and a Shanghai-offset parameter would compare as text eight hours off)."""
    tz = timezone.get_current_timezone()
    bounds = [datetime.datetime.combine(day, datetime.time(), tz) for day in (month, add_months(month, 1))]
    return [connection.ops.adapt_datetimefield_value(moment) for moment in bounds]


def test_ticket_figures_equal_hand_written_sql():
    world = build_world(seed=3, tickets=80)
    refresh_dashboards(full=True)
    this_month = month_start(timezone.localdate())
    where, params = in_subtree(world.street)
    checked = 0
    for month in [add_months(this_month, -n) for n in range(13)]:
        counters = node_counters(world.street, [month])[month]
        bounds = month_bounds(month)
        new = sql_one(
            f"SELECT COUNT(*) FROM services_ticket t WHERE {where} AND t.created_at >= %s AND t.created_at < %s",
            [*params, *bounds])  # fmt: skip
        rated = sql_one(
            f"SELECT COUNT(*) FROM services_ticket t WHERE {where} AND t.rating IS NOT NULL "
            "AND t.rated_at >= %s AND t.rated_at < %s", [*params, *bounds])  # fmt: skip
        rating_sum = sql_one(
            f"SELECT SUM(t.rating) FROM services_ticket t WHERE {where} AND t.rating IS NOT NULL "
            "AND t.rated_at >= %s AND t.rated_at < %s", [*params, *bounds])  # fmt: skip
        finished = sql_one(
            f"SELECT COUNT(*) FROM services_ticket t WHERE {where} AND t.status IN ('resolved', 'closed') "
            "AND COALESCE(t.resolved_at, t.closed_at) >= %s AND COALESCE(t.resolved_at, t.closed_at) < %s",
            [*params, *bounds])  # fmt: skip
        on_time = sql_one(
            f"SELECT COUNT(*) FROM services_ticket t WHERE {where} AND t.status IN ('resolved', 'closed') "
            "AND COALESCE(t.resolved_at, t.closed_at) >= %s AND COALESCE(t.resolved_at, t.closed_at) < %s "
            "AND t.resolution_due_at >= COALESCE(t.resolved_at, t.closed_at)", [*params, *bounds])  # fmt: skip
        assert counters.get("tickets.new", 0) == new, month
        assert counters.get("tickets.rating_count", 0) == rated, month
        assert counters.get("tickets.rating_sum", 0) == rating_sum, month
        assert counters.get("tickets.finished", 0) == finished, month
        assert counters.get("tickets.on_time", 0) == on_time, month
        checked += new
    assert checked > 20  # the data spreads over the months compared
    counters = node_counters(world.street, [this_month])[this_month]
    open_now = sql_one(
        f"SELECT COUNT(*) FROM services_ticket t WHERE {where} "
        "AND t.status IN ('reported', 'accepted', 'dispatched', 'in_progress', 'returned', 'reopened')",
        params,
    )
    assert counters.get("tickets.open", 0) == open_now


def test_coverage_figures_equal_hand_written_sql():
    world = build_world(seed=5, tickets=0)
    refresh_dashboards(full=True)
    community = world.communities[0]
    this_month = month_start(timezone.localdate())
    counters = node_counters(community, [this_month])[this_month]
    grids = "SELECT id FROM grids_grid WHERE community_id = %s"
    current = "r.status IN ('registered', 'floating')"
    expected = {
        "coverage.buildings_without_households": sql_one(
            f"SELECT COUNT(*) FROM grids_building b WHERE b.grid_id IN ({grids}) "
            "AND NOT EXISTS (SELECT 1 FROM grids_household h WHERE h.building_id = b.id)", [community.pk]),
        "coverage.households_without_residents": sql_one(
            f"SELECT COUNT(*) FROM grids_household h JOIN grids_building b ON b.id = h.building_id "
            f"WHERE b.grid_id IN ({grids}) AND NOT EXISTS "
            f"(SELECT 1 FROM residents_resident r WHERE r.household_id = h.id AND {current})", [community.pk]),
        "coverage.residents_missing_id_or_phone": sql_one(
            f"SELECT COUNT(*) FROM residents_resident r JOIN grids_household h ON h.id = r.household_id "
            f"JOIN grids_building b ON b.id = h.building_id WHERE b.grid_id IN ({grids}) AND {current} "
            "AND (r.id_number = '' OR r.phone = '')", [community.pk]),
        "coverage.care_households": sql_one(
            f"SELECT COUNT(DISTINCT h.id) FROM grids_household h JOIN grids_building b ON b.id = h.building_id "
            f"JOIN residents_resident r ON r.household_id = h.id AND {current} "
            "JOIN residents_resident_tags rt ON rt.resident_id = r.id "
            "JOIN residents_caretag ct ON ct.id = rt.caretag_id AND ct.needs_care_visits "
            f"WHERE b.grid_id IN ({grids})", [community.pk]),
        "coverage.households_visited": sql_one(
            f"SELECT COUNT(DISTINCT v.household_id) FROM grids_visit v JOIN grids_household h ON h.id = v.household_id "
            f"JOIN grids_building b ON b.id = h.building_id WHERE b.grid_id IN ({grids}) AND v.visited_on >= %s",
            [community.pk, this_month]),
    }  # fmt: skip
    assert {key: counters.get(key, 0) for key in expected} == expected
    assert expected["coverage.households_without_residents"] > 0 and expected["coverage.care_households"] > 0
