"""The mediation family against hand-written SQL (cases opened and their outcomes by month, grids and grid-less
cases), its incremental refresh against a full rebuild, and the ticket statistics' live view of it."""

import datetime
import random

import pytest
from django.utils import timezone

from core.figures import add_months, families, month_start
from core.statistics import statistics_families
from dashboards.refresh import refresh_dashboards
from dashboards.selectors import node_counters
from mediation.models import CaseStatus, DisputeCase
from tests.dashboards.test_families import in_subtree, month_bounds, sql_one
from tests.dashboards.test_refresh import age_refresh_state, facts
from tests.dashboards.world import build_world
from tests.mediation.factories import DisputeCaseFactory

pytestmark = pytest.mark.django_db

OUTCOME_TEXT = {"agreed": ("agreement_text", "双方达成协议"), "referred": ("referred_to", "司法所"),
                "failed": ("failure_reason", "一方拒绝")}  # fmt: skip


def add_cases(rng: random.Random, world, count: int) -> list[DisputeCase]:
    made = []
    for _ in range(count):
        grid = rng.choice([*world.grids, None])
        community = grid.community if grid else rng.choice(world.communities)
        case = DisputeCaseFactory(grid=grid, community=community)
        scramble(rng, case)
        made.append(case)
    return made


def scramble(rng: random.Random, case: DisputeCase) -> None:
    """A random opening over the last 14 months and a random outcome; saved, as the services do."""
    case.opened_at = timezone.now() - datetime.timedelta(days=rng.randint(0, 420))
    case.status = rng.choice(CaseStatus.values)
    case.concluded_at = None
    if case.status in OUTCOME_TEXT:
        field, text = OUTCOME_TEXT[case.status]
        setattr(case, field, text)
        case.concluded_at = min(case.opened_at + datetime.timedelta(days=rng.randint(0, 60)), timezone.now())
    case.save()


def test_mediation_figures_equal_hand_written_sql():
    world = build_world(seed=31, tickets=0)
    add_cases(random.Random(31), world, 60)
    refresh_dashboards(full=True)
    where, params = in_subtree(world.street)
    this_month = month_start(timezone.localdate())
    checked = 0
    for month in [add_months(this_month, -n) for n in range(15)]:
        counters = node_counters(world.street, [month])[month]
        bounds = month_bounds(month)
        opened = sql_one(f"SELECT COUNT(*) FROM mediation_disputecase t WHERE {where} "
                         "AND t.opened_at >= %s AND t.opened_at < %s", [*params, *bounds])  # fmt: skip
        assert counters.get("mediation.opened", 0) == opened, month
        for status in OUTCOME_TEXT:
            concluded = sql_one(
                f"SELECT COUNT(*) FROM mediation_disputecase t WHERE {where} AND t.status = %s "
                "AND t.concluded_at >= %s AND t.concluded_at < %s", [*params, status, *bounds])  # fmt: skip
            assert counters.get(f"mediation.{status}", 0) == concluded, (month, status)
            checked += concluded
        checked += opened
    assert checked > 60


def test_incremental_refresh_of_mediation_equals_a_full_rebuild():
    rng = random.Random(32)
    world = build_world(seed=32, tickets=0)
    cases = add_cases(rng, world, 30)
    refresh_dashboards(full=True)
    age_refresh_state()
    for case in rng.sample(cases, 8):
        scramble(rng, case)
    add_cases(rng, world, 5)
    result = refresh_dashboards()
    assert not result.full and result.leaves > 0
    incremental = facts()
    refresh_dashboards(full=True)
    assert incremental == facts()


def test_one_registry_the_ticket_statistics_read_mediation_live_from_its_figure_family():
    family = next(f for f in families() if f.key == "mediation")
    assert statistics_families.get("mediation") == family.live == "mediation.stats.mediation_family"
    assert [entry.key for entry in statistics_families] == ["mediation"]
