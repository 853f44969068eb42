"""Ticket statistics rolled up through the tree: figures against hand-counted tickets, children, rankings, API."""

import datetime

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import Role
from orgs.rules import Level
from services.models import Card, Ticket, TicketStatus
from services.tickets.stats import ticket_stats
from tests.accounts.factories import UserFactory
from tests.cobuilding.factories import ResidentUnitFactory
from tests.conftest import client_for
from tests.orgs.factories import OrganizationFactory
from tests.services.factories import TicketFactory

pytestmark = pytest.mark.django_db

TZ = datetime.timezone(datetime.timedelta(hours=8))
NOW = datetime.datetime(2026, 11, 24, 10, 0, tzinfo=TZ)
T0 = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=TZ)
URL = "/api/v1/ticket-stats/"


@pytest.fixture
def city():
    district = OrganizationFactory(level=Level.DISTRICT)
    east = OrganizationFactory(level=Level.STREET, parent=district)
    west = OrganizationFactory(level=Level.STREET, parent=district)
    a1 = OrganizationFactory(level=Level.COMMUNITY, parent=east)
    a2 = OrganizationFactory(level=Level.COMMUNITY, parent=east)
    b1 = OrganizationFactory(level=Level.COMMUNITY, parent=west)
    nodes = {"district": district, "east": east, "west": west, "a1": a1, "a2": a2, "b1": b1}
    for node in nodes.values():
        node.refresh_from_db()  # the tree numbering moved as later nodes were inserted
    return nodes


def _ticket(community, status, *, resolved_h=None, due_h=48, accepted_h=None, **fields) -> Ticket:
    ticket = TicketFactory(community=community)
    Ticket.objects.filter(pk=ticket.pk).update(
        status=status, created_at=T0, resolution_due_at=T0 + datetime.timedelta(hours=due_h),
        resolved_at=T0 + datetime.timedelta(hours=resolved_h) if resolved_h is not None else None,
        accepted_at=T0 + datetime.timedelta(hours=accepted_h) if accepted_h is not None else None, **fields,
    )  # fmt: skip
    return ticket


@pytest.fixture
def tickets(city):
    unit = ResidentUnitFactory(registered_with=city["a1"])
    for node in city.values():
        node.refresh_from_db()  # the unit's Party organization was inserted under a1
    a1, a2, b1 = city["a1"], city["a2"], city["b1"]
    # a1: two closed on time (ratings 5 and 4), one closed late (rating 2), one open and overdue with a red card.
    _ticket(a1, TicketStatus.CLOSED, resolved_h=10, accepted_h=1, rating=5, assignee_unit=unit)
    _ticket(a1, TicketStatus.CLOSED, resolved_h=20, accepted_h=3, rating=4, assignee_unit=unit)
    _ticket(a1, TicketStatus.CLOSED, resolved_h=60, accepted_h=2, rating=2, escalation_count=1, card=Card.RED)
    _ticket(a1, TicketStatus.IN_PROGRESS, due_h=24, accepted_h=2, card=Card.RED, escalation_count=2)
    # a2: one resolved on time, awaiting the rating; one open, not yet due, with a yellow card.
    _ticket(a2, TicketStatus.RESOLVED, resolved_h=30, accepted_h=6)
    _ticket(a2, TicketStatus.REPORTED, due_h=24 * 60, card=Card.YELLOW)
    # b1: one closed late, rated 3.
    _ticket(b1, TicketStatus.CLOSED, resolved_h=100, accepted_h=4, rating=3)
    return unit


def test_district_figures_match_the_tickets_counted_by_hand(city, tickets):
    node = ticket_stats(node=city["district"], now=NOW).node
    assert node["total"] == 7
    assert node["by_status"]["closed"] == 4 and node["by_status"]["resolved"] == 1
    assert node["by_status"]["in_progress"] == 1 and node["by_status"]["reported"] == 1
    assert (node["finished"], node["on_time"], node["on_time_rate"]) == (5, 3, 0.6)
    assert (node["open"], node["overdue"], node["overdue_share"]) == (2, 1, 0.5)
    assert (node["yellow_cards"], node["red_cards"]) == (1, 2)
    assert node["avg_hours_to_accept"] == 3.0  # (1 + 3 + 2 + 2 + 6 + 4) / 6
    assert node["avg_hours_to_resolve"] == 44.0  # (10 + 20 + 60 + 30 + 100) / 5
    assert (node["satisfaction"], node["rated"]) == (3.5, 4)
    assert (node["escalations"], node["escalated_tickets"]) == (3, 2)


def test_children_are_the_direct_subtrees_and_add_up_to_the_node(city, tickets):
    stats = ticket_stats(node=city["district"], now=NOW)
    lines = {line["id"]: line for line in stats.children}
    assert set(lines) == {city["east"].pk, city["west"].pk}
    assert lines[city["east"].pk]["total"] == 6 and lines[city["west"].pk]["total"] == 1
    assert lines[city["west"].pk]["on_time_rate"] == 0.0
    assert lines[city["east"].pk]["on_time_rate"] == 0.75


def test_street_without_tickets_still_lists_its_community_with_zeroes(city):
    stats = ticket_stats(node=city["west"], now=NOW)
    assert [(line["id"], line["total"], line["on_time_rate"]) for line in stats.children] == [(city["b1"].pk, 0, None)]


def test_sibling_street_tickets_are_not_counted(city, tickets):
    assert ticket_stats(node=city["west"], now=NOW).node["total"] == 1


def test_communities_and_units_are_ranked_by_on_time_rate_and_satisfaction(city, tickets):
    rankings = ticket_stats(node=city["district"], now=NOW).rankings
    by_rate = [(row["id"], row["on_time_rate"]) for row in rankings["communities_by_on_time_rate"]]
    assert by_rate == [(city["a2"].pk, 1.0), (city["a1"].pk, round(2 / 3, 4)), (city["b1"].pk, 0.0)]
    by_satisfaction = [(row["id"], row["satisfaction"]) for row in rankings["communities_by_satisfaction"]]
    assert by_satisfaction == [(city["a1"].pk, round(11 / 3, 2)), (city["b1"].pk, 3.0)]  # a2 has no rating yet
    assert [(r["id"], r["on_time_rate"], r["satisfaction"]) for r in rankings["units_by_on_time_rate"]] == [
        (tickets.pk, 1.0, 4.5)
    ]


def test_statistics_run_the_same_queries_whatever_the_number_of_tickets(city, tickets):
    with CaptureQueriesContext(connection) as few:
        ticket_stats(node=city["district"], now=NOW)
    for _ in range(5):
        _ticket(city["b1"], TicketStatus.CLOSED, resolved_h=5, rating=5)
    with CaptureQueriesContext(connection) as many:
        ticket_stats(node=city["district"], now=NOW)
    assert len(many.captured_queries) == len(few.captured_queries) <= 7


def test_api_returns_the_node_its_children_and_rankings(city, tickets):
    staff = UserFactory(role=Role.STAFF, scope=city["district"])
    response = client_for(staff).get(URL, {"org": city["east"].pk})
    assert response.status_code == 200
    body = response.json()
    assert (body["id"], body["total"], body["on_time_rate"]) == (city["east"].pk, 6, 0.75)
    assert {line["id"] for line in body["children"]} == {city["a1"].pk, city["a2"].pk}
    assert body["rankings"]["communities_by_on_time_rate"][0]["id"] == city["a2"].pk


def test_api_defaults_to_the_callers_own_organization(city, tickets):
    staff = UserFactory(role=Role.STAFF, scope=city["west"])
    body = client_for(staff).get(URL).json()
    assert (body["id"], body["total"]) == (city["west"].pk, 1)


def test_api_hides_a_node_outside_the_callers_scope(city, tickets):
    staff = UserFactory(role=Role.STAFF, scope=city["west"])
    assert client_for(staff).get(URL, {"org": city["east"].pk}).status_code == 404
    assert client_for(staff).get(URL, {"org": 999999}).status_code == 404


def test_api_rejects_a_bad_org_with_a_field_error(city):
    staff = UserFactory(role=Role.STAFF, scope=city["west"])
    response = client_for(staff).get(URL, {"org": "abc"})
    assert response.status_code == 400
    assert "org" in response.json()


def test_api_refuses_anonymous_callers(city):
    assert client_for(None).get(URL).status_code == 401


def test_api_runs_a_constant_number_of_queries(city, tickets, django_assert_max_num_queries):
    staff = UserFactory(role=Role.STAFF, scope=city["district"])
    client = client_for(staff)
    with CaptureQueriesContext(connection) as few:
        client.get(URL, {"org": city["district"].pk})
    for _ in range(5):
        _ticket(city["a2"], TicketStatus.RESOLVED, resolved_h=5)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(URL, {"org": city["district"].pk}).json()["total"] == 12


def test_proxy_errands_are_counted_per_node_recorded_and_returned(city, tickets):
    from services.models import ProxyErrand

    runner = UserFactory(role=Role.STAFF, scope=city["district"])
    a1_tickets = Ticket.objects.filter(community=city["a1"]).order_by("pk")
    b1_ticket = Ticket.objects.filter(community=city["b1"]).first()
    for ticket, back in ((a1_tickets[0], T0 + datetime.timedelta(days=2)), (a1_tickets[1], None), (b1_ticket, None)):
        ProxyErrand.objects.create(
            ticket=ticket, runner=runner, created_by=runner, handed_in="材料", handed_in_where="便民服务中心",
            handed_in_at=T0, came_back_at=back,
        )  # fmt: skip
    stats = ticket_stats(node=city["district"], now=NOW)
    assert stats.node["proxy_errands"] == {"recorded": 3, "returned": 1}
    assert stats.node["total"] == 7  # one errand per ticket: the join counts no ticket twice
    lines = {line["id"]: line["proxy_errands"] for line in stats.children}
    assert lines == {city["east"].pk: {"recorded": 2, "returned": 1}, city["west"].pk: {"recorded": 1, "returned": 0}}
    body = client_for(UserFactory(role=Role.STAFF, scope=city["east"])).get(URL, {"org": city["east"].pk}).json()
    assert body["proxy_errands"] == {"recorded": 2, "returned": 1}
