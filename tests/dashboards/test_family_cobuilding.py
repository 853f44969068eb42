"""The co-building family against hand-written SQL on factory data, and its incremental refresh against a full
rebuild."""

import datetime
import random

import pytest
from django.utils import timezone

from cobuilding.models import AgendaItem, ItemStatus
from core.figures import add_months, month_start
from dashboards.refresh import refresh_dashboards
from dashboards.selectors import node_counters
from orgs.rules import Level
from tests.cobuilding.factories import (
    AgendaItemFactory,
    AgreementFactory,
    CommitmentItemFactory,
    EvaluationRatingFactory,
    EvaluationRoundFactory,
    JointMeetingFactory,
    MemberReportFactory,
    ResidentUnitFactory,
    UnitReportFactory,
    WhistleCallFactory,
    WhistleFactory,
)  # fmt: skip
from tests.dashboards.test_families import month_bounds, sql_one
from tests.dashboards.test_refresh import age_refresh_state, facts
from tests.dashboards.world import build_world

pytestmark = pytest.mark.django_db


def ago(rng: random.Random, days: int = 400) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=rng.randint(0, days), hours=rng.randint(0, 23))


def add_cobuilding(rng: random.Random, world) -> None:
    unit = ResidentUnitFactory(registered_with=world.street)
    for community in world.communities:
        UnitReportFactory(unit=ResidentUnitFactory(registered_with=world.street), community=community)
        MemberReportFactory(community=community)
        agreement = AgreementFactory(unit=unit, community=community)
        for _ in range(3):
            CommitmentItemFactory(agreement=agreement, verified_at=timezone.now() if rng.random() < 0.5 else None)
        for _ in range(3):
            meeting = JointMeetingFactory(community=community, held_at=ago(rng))
            for _ in range(rng.randint(1, 3)):
                add_item(rng, meeting)
            whistle = WhistleFactory(community=community, blown_at=meeting.held_at)
            call = WhistleCallFactory(whistle=whistle, unit=ResidentUnitFactory(registered_with=world.street),
                                      respond_by=whistle.blown_at + datetime.timedelta(days=3))  # fmt: skip
            if rng.random() < 0.7:
                call.responded_at = whistle.blown_at + datetime.timedelta(days=rng.randint(1, 5))
                call.status = "responded"
                call.save()
    for organization in [world.street, world.communities[0]]:
        evaluation = EvaluationRoundFactory(organization=organization)
        for _ in range(4):
            EvaluationRatingFactory(round=evaluation, unit=unit, score=rng.randint(1, 5))


def add_item(rng: random.Random, meeting) -> AgendaItem:
    item = AgendaItemFactory(meeting=meeting)
    previous = AgendaItem.objects.filter(meeting__community=meeting.community, carried_to__isnull=True).exclude(
        pk=item.pk).first()  # fmt: skip
    if previous is not None and rng.random() < 0.3:
        item.carried_from = previous
    if rng.random() < 0.7:
        item.status, item.claimed_at = ItemStatus.CLAIMED, meeting.held_at + datetime.timedelta(days=1)
        if rng.random() < 0.5:
            item.status, item.closed_at = ItemStatus.CLOSED, min(item.claimed_at + datetime.timedelta(days=20),
                                                                  timezone.now())  # fmt: skip
    item.save()
    return item


SUBTREE = "o.tree_id = %s AND o.lft BETWEEN %s AND %s"


def test_cobuilding_figures_equal_hand_written_sql():
    world = build_world(seed=41, tickets=0)
    add_cobuilding(random.Random(41), world)
    refresh_dashboards(full=True)
    street = world.street
    params = [street.tree_id, street.lft, street.rght]
    this_month = month_start(timezone.localdate())
    now = node_counters(street, [this_month])[this_month]
    snapshot = {
        "cobuilding.units_reported": sql_one(
            f"SELECT COUNT(*) FROM cobuilding_unitreport r JOIN orgs_organization o ON o.id = r.community_id "
            f"WHERE {SUBTREE} AND r.status = 'active'", params),
        "cobuilding.members_reported": sql_one(
            f"SELECT COUNT(*) FROM cobuilding_memberreport r JOIN orgs_organization o ON o.id = r.community_id "
            f"WHERE {SUBTREE} AND r.is_active", params),
        "cobuilding.commitments_fulfilled": sql_one(
            "SELECT COUNT(*) FROM cobuilding_commitmentitem i JOIN cobuilding_cobuildingagreement a "
            "ON a.id = i.agreement_id JOIN orgs_organization o ON o.id = a.community_id "
            f"WHERE {SUBTREE} AND a.status = 'active' AND i.verified_at IS NOT NULL", params),
    }  # fmt: skip
    assert {key: now.get(key, 0) for key in snapshot} == snapshot
    assert snapshot["cobuilding.commitments_fulfilled"] > 0
    items = ("FROM cobuilding_agendaitem i JOIN cobuilding_jointmeeting m ON m.id = i.meeting_id "
             f"JOIN orgs_organization o ON o.id = m.community_id WHERE {SUBTREE}")  # fmt: skip
    calls = ("FROM cobuilding_whistlecall c JOIN cobuilding_whistle w ON w.id = c.whistle_id "
             f"JOIN orgs_organization o ON o.id = w.community_id WHERE {SUBTREE}")  # fmt: skip
    scores = ("FROM cobuilding_evaluationrating r JOIN cobuilding_evaluationround e ON e.id = r.round_id "
              f"JOIN orgs_organization o ON o.id = e.organization_id WHERE {SUBTREE}")  # fmt: skip
    claimed = 0
    for month in [add_months(this_month, -n) for n in range(15)]:
        counters = node_counters(street, [month])[month]
        b = month_bounds(month)
        expected = {
            "cobuilding.items_carried_over": sql_one(
                f"SELECT COUNT(*) {items} AND i.carried_from_id IS NOT NULL AND m.held_at >= %s AND m.held_at < %s",
                [*params, *b]),
            "cobuilding.items_claimed": sql_one(
                f"SELECT COUNT(*) {items} AND i.claimed_at >= %s AND i.claimed_at < %s", [*params, *b]),
            "cobuilding.items_closed": sql_one(
                f"SELECT COUNT(*) {items} AND i.closed_at >= %s AND i.closed_at < %s", [*params, *b]),
            "cobuilding.whistle_calls": sql_one(
                f"SELECT COUNT(*) {calls} AND w.blown_at >= %s AND w.blown_at < %s", [*params, *b]),
            "cobuilding.whistle_calls_on_time": sql_one(
                f"SELECT COUNT(*) {calls} AND w.blown_at >= %s AND w.blown_at < %s AND c.responded_at <= c.respond_by",
                [*params, *b]),
            "cobuilding.score_sum": sql_one(
                f"SELECT SUM(r.score) {scores} AND r.created_at >= %s AND r.created_at < %s", [*params, *b]),
        }  # fmt: skip
        assert {key: counters.get(key, 0) for key in expected} == expected, month
        claimed += expected["cobuilding.items_claimed"]
    assert claimed > 3


def test_a_street_run_evaluation_counts_at_the_street():
    world = build_world(seed=42, tickets=0)
    add_cobuilding(random.Random(42), world)
    refresh_dashboards(full=True)
    month = month_start(timezone.localdate())
    street = node_counters(world.street, [month])[month]["cobuilding.score_count"]
    community = node_counters(world.communities[0], [month])[month]["cobuilding.score_count"]
    assert (street, community) == (8, 4)
    assert world.street.level == Level.STREET


def test_incremental_refresh_of_cobuilding_equals_a_full_rebuild():
    rng = random.Random(43)
    world = build_world(seed=43, tickets=0)
    add_cobuilding(rng, world)
    refresh_dashboards(full=True)
    age_refresh_state()
    item = AgendaItem.objects.filter(closed_at__isnull=True).first()
    item.status, item.claimed_at, item.closed_at = ItemStatus.CLOSED, timezone.now(), timezone.now()
    item.save()
    add_item(rng, JointMeetingFactory(community=world.communities[1]))
    MemberReportFactory(community=world.communities[0])
    EvaluationRatingFactory(round=EvaluationRoundFactory(organization=world.communities[1]), score=2)
    result = refresh_dashboards()
    assert not result.full and result.leaves > 0
    incremental = facts()
    refresh_dashboards(full=True)
    assert incremental == facts()
