"""The tickets' breakdowns on a node's page (by category, escalated by level, the top service items) against
hand-written SQL, the live list of overdue and escalated tickets, and the home page's link to each role's dashboard."""

import datetime
import random

import pytest
from django.utils import timezone

from core.figures import add_months, month_start
from dashboards.refresh import refresh_dashboards
from dashboards.selectors import node_counters
from dashboards.views import ATTENTION_ROWS
from services.models import Ticket, TicketStatus
from services.models.catalogue import HandlingLevel, ServiceCategory
from tests.dashboards.test_families import in_subtree, month_bounds, sql_one
from tests.dashboards.world import build_world, official_of, staff_of
from tests.grids.factories import grid_worker_for
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db


def spread_items_and_levels(seed: int) -> list:
    """Give the world's tickets several service items of several categories and several handling levels."""
    rng = random.Random(seed)
    categories = [ServiceCategory.ELDERLY_CARE, ServiceCategory.ENVIRONMENT, ServiceCategory.DISPUTES]
    items = [ServiceItemFactory(category=categories[n % 3]) for n in range(5)]
    for ticket in Ticket.objects.all():
        Ticket.objects.filter(pk=ticket.pk).update(
            service_item=rng.choice(items), handling_level=rng.choice(list(HandlingLevel.values))
        )
    return items


@pytest.fixture
def world():
    world = build_world(seed=11, tickets=90)
    world.items = spread_items_and_levels(11)
    refresh_dashboards(full=True)
    return world


def test_category_level_and_item_counters_equal_hand_written_sql(world):
    where, params = in_subtree(world.street)
    this_month = month_start(timezone.localdate())
    checked = 0
    for month in [add_months(this_month, -n) for n in range(13)]:
        counters = node_counters(world.street, [month])[month]
        created = f"{where} AND t.created_at >= %s AND t.created_at < %s"
        args = [*params, *month_bounds(month)]
        for category in ServiceCategory.values:
            expected = sql_one(
                "SELECT COUNT(*) FROM services_ticket t JOIN services_serviceitem i ON i.id = t.service_item_id "
                f"WHERE {created} AND i.category = %s", [*args, category])  # fmt: skip
            assert counters.get(f"tickets.category_{category}", 0) == expected, (month, category)
            checked += expected
        for level in HandlingLevel.values:
            expected = sql_one(
                f"SELECT COUNT(*) FROM services_ticket t WHERE {created} AND t.escalation_count > 0 "
                "AND t.handling_level = %s", [*args, level])  # fmt: skip
            assert counters.get(f"tickets.escalated_{level}", 0) == expected, (month, level)
        for item in world.items:
            expected = sql_one(
                f"SELECT COUNT(*) FROM services_ticket t WHERE {created} AND t.service_item_id = %s", [*args, item.pk]
            )
            assert counters.get(f"tickets.item_{item.pk}", 0) == expected, (month, item)
    assert checked > 20


def test_the_top_items_chart_ranks_the_months_items_by_new_tickets(client, world):
    client.force_login(official_of(world.district))
    month = month_start(timezone.localdate())
    response = client.get(f"/dashboard/org/{world.street.pk}/", {"month": f"{month:%Y-%m}"})
    charts = {chart["key"]: chart for chart in response.context["chart_data"]["charts"]}
    assert {"tickets.by_category", "tickets.escalations_by_level", "tickets.top_items"} <= set(charts)
    where, params = in_subtree(world.street)
    expected = []
    for item in world.items:
        count = sql_one(
            f"SELECT COUNT(*) FROM services_ticket t WHERE {where} AND t.service_item_id = %s "
            "AND t.created_at >= %s AND t.created_at < %s", [*params, item.pk, *month_bounds(month)])  # fmt: skip
        if count:
            expected.append((-count, item.pk, item.name))
    shown = [(entry["label"], entry["value"]) for entry in charts["tickets.top_items"]["items"]]
    assert shown == [(name, -negative) for negative, _pk, name in sorted(expected)]
    category_total = sum(entry["value"] for entry in charts["tickets.by_category"]["items"])
    assert category_total == sum(value for _label, value in shown)


def make_late_and_escalated(world) -> tuple[Ticket, Ticket, Ticket]:
    mine, theirs = world.communities
    past = timezone.now() - datetime.timedelta(days=2)
    late = TicketFactory(community=mine, grid=None, service_item=world.items[0])
    escalated = TicketFactory(community=mine, grid=None, service_item=world.items[1])
    elsewhere = TicketFactory(community=theirs, grid=None, service_item=world.items[0])
    Ticket.objects.filter(pk__in=[late.pk, elsewhere.pk]).update(
        status=TicketStatus.IN_PROGRESS, resolution_due_at=past, escalation_count=0
    )
    Ticket.objects.filter(pk=escalated.pk).update(
        status=TicketStatus.DISPATCHED, resolution_due_at=None, level_due_at=None, escalation_count=3
    )
    return late, escalated, elsewhere


def test_the_page_lists_overdue_and_escalated_open_tickets_within_the_users_scope(client, world):
    late, escalated, elsewhere = make_late_and_escalated(world)
    flagged = [late.pk, escalated.pk, elsewhere.pk]
    Ticket.objects.exclude(pk__in=flagged).update(escalation_count=0, resolution_due_at=None, level_due_at=None)
    mine = world.communities[0]
    client.force_login(staff_of(mine))
    response = client.get(f"/dashboard/org/{mine.pk}/")
    assert response.context["attention"] == [escalated, late]  # the most escalated first
    content = response.content.decode()
    assert f'href="/tickets/{late.pk}/"' in content and f'href="/tickets/{elsewhere.pk}/"' not in content
    assert client.get(f"/tickets/{late.pk}/").status_code == 200


def test_the_list_is_the_open_tickets_the_scoped_queryset_flags(client, world):
    make_late_and_escalated(world)
    client.force_login(official_of(world.district))
    listed = client.get(f"/dashboard/org/{world.street.pk}/").context["attention"]
    flagged = Ticket.objects.overdue() | Ticket.objects.open().filter(escalation_count__gt=0)
    assert {t.pk for t in listed} <= set(flagged.values_list("pk", flat=True))
    assert len(listed) == min(ATTENTION_ROWS, flagged.count())


def test_the_grid_page_lists_only_that_grids_tickets(client, world):
    grid = world.grids[0]
    client.force_login(official_of(world.district))
    listed = client.get(f"/dashboard/grid/{grid.pk}/").context["attention"]
    allowed = {grid.pk, *grid.get_descendants().values_list("pk", flat=True)}
    assert all(ticket.grid_id in allowed for ticket in listed)


@pytest.mark.parametrize("who", ["official", "staff"])
def test_the_home_page_links_officials_and_staff_to_their_dashboard(client, world, who):
    user = official_of(world.district) if who == "official" else staff_of(world.communities[0])
    client.force_login(user)
    assert 'href="/dashboard/"' in client.get("/").content.decode()
    expected = world.district if who == "official" else world.communities[0]
    assert client.get("/dashboard/").url == f"/dashboard/org/{expected.pk}/"


def test_a_grid_worker_reaches_their_grids_page(client, world):
    """A grid worker's home is the grid pages (the home page redirects there); /dashboard/ opens their grid's page."""
    grid = world.grids[0]
    client.force_login(grid_worker_for(grid))
    assert client.get("/").url == "/grid/"
    assert client.get("/dashboard/").url == f"/dashboard/grid/{grid.pk}/"
    assert client.get(f"/dashboard/grid/{grid.pk}/").status_code == 200
