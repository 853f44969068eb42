"""The incremental refresh leaves the summary table exactly as a full rebuild would, on random data and changes."""

import datetime
import random
from collections import defaultdict

import pytest
from django.utils import timezone

from dashboards.models import LeafMonthFact, NodeMonthFact, RefreshState
from dashboards.refresh import refresh_dashboards
from grids.models import Household
from residents.models import Resident
from services.models import Ticket, TicketEvent
from tests.dashboards.world import add_tickets, build_world, scramble
from tests.grids.factories import BuildingFactory, VisitFactory

pytestmark = pytest.mark.django_db


def facts() -> dict:
    return {(f.community_id, f.grid_id, f.month, f.metric): round(f.value, 6) for f in LeafMonthFact.objects.all()}


def node_facts() -> dict:
    """{(node, month, metric): value}, rows of equal key summed (a node's own leaf facts and its children's)."""
    summed: dict = defaultdict(float)
    for f in NodeMonthFact.objects.all():
        summed[(f.node_id, f.month, f.metric)] += f.value
    return {key: round(value, 6) for key, value in summed.items()}


def age_refresh_state(seconds: int = 5) -> None:
    """Pretend the last run started a moment ago, so the changes below happen after it."""
    RefreshState.objects.filter(pk=1).update(started_at=timezone.now() - datetime.timedelta(seconds=seconds))


@pytest.mark.parametrize("seed", [11, 12, 13])
def test_incremental_refresh_equals_a_full_rebuild(seed):
    rng = random.Random(seed)
    world = build_world(seed=seed, tickets=40)
    refresh_dashboards(full=True)
    age_refresh_state()
    # Changes of every kind the families watch: tickets new and changed, a building, a household emptied,
    # a resident's phone dropped, a visit.
    add_tickets(rng, world.communities, world.grids, 10)
    for ticket in rng.sample(list(Ticket.objects.all()), 10):
        scramble(rng, ticket)
        TicketEvent.objects.create(ticket=ticket, kind="note")
    BuildingFactory(grid=rng.choice(world.grids))
    resident = rng.choice(list(Resident.objects.all()))
    resident.phone = ""
    resident.save()
    emptied = rng.choice(list(Household.objects.filter(residents__isnull=False).distinct()))
    for r in Resident.objects.filter(household=emptied):
        r.status = "moved_out"
        r.save()
    VisitFactory(household=rng.choice(list(Household.objects.all())))

    result = refresh_dashboards()
    assert not result.full and result.leaves > 0  # leaves summed over the families
    incremental, incremental_nodes = facts(), node_facts()
    refresh_dashboards(full=True)
    assert incremental == facts()
    assert incremental_nodes == node_facts() and incremental_nodes


def test_a_run_with_nothing_touched_recomputes_no_leaf():
    build_world(seed=2, tickets=5)
    refresh_dashboards(full=True)
    age_refresh_state(seconds=0)
    before = facts()
    result = refresh_dashboards()
    assert (result.full, result.leaves) == (False, 0)
    assert facts() == before


def test_the_first_run_is_a_full_one_and_stamps_the_time():
    build_world(seed=4, tickets=5)
    result = refresh_dashboards()
    assert result.full and LeafMonthFact.objects.exists()
    assert RefreshState.objects.get(pk=1).computed_at == result.computed_at


def test_an_incremental_roll_up_keeps_the_facts_counted_at_a_street_itself():
    """A family may count a fact at a street (the organization family counts the street's own organizations there):
    rebuilding the street from its children alone after a ticket changed below it would drop that fact."""
    rng = random.Random(5)
    world = build_world(seed=5, tickets=10)
    this_month = timezone.localdate().replace(day=1)
    LeafMonthFact.objects.create(community=world.street, grid=None, month=this_month, metric="own.count", value=3)
    refresh_dashboards(full=True)
    full_nodes = node_facts()
    assert full_nodes[(world.street.pk, this_month, "own.count")] == 3
    age_refresh_state(seconds=0)  # only the ticket below is newer: no family touches the street itself
    ticket = rng.choice(list(Ticket.objects.all()))
    TicketEvent.objects.create(ticket=ticket, kind="note")

    assert refresh_dashboards().leaves > 0
    assert node_facts() == full_nodes


def test_the_tickets_copy_is_dropped_after_compute_and_when_abandoned():
    """The tickets family's compute reads a temporary copy of the leaves' tickets named like the ticket table: after
    it, finished or abandoned half-way, the connection sees every ticket again."""
    from core.figures import Leaves
    from services.tickets import figures as ticket_figures

    world = build_world(seed=3, tickets=20)
    everything = Ticket.objects.count()
    leaves = Leaves(frozenset({world.grids[0].pk}))
    assert list(ticket_figures.compute(leaves, []))
    assert Ticket.objects.count() == everything
    rows = ticket_figures.compute(leaves, [])
    next(rows)
    rows.close()  # abandoned inside the copy: its transaction rolls back, the copy with it
    assert Ticket.objects.count() == everything
