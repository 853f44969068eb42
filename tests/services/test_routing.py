"""A new ticket starts at the level its service item names, then the place; escalation climbs from there."""

import datetime

import pytest

from orgs.rules import Level
from services.models import HandlingLevel
from services.tickets.escalation import escalate_overdue_tickets
from tests.grids.factories import GridFactory
from tests.orgs.factories import OrganizationFactory
from tests.services.factories import ServiceItemFactory, TicketFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def place():
    district = OrganizationFactory(level=Level.DISTRICT)
    street = OrganizationFactory(level=Level.STREET, parent=district)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    branch = OrganizationFactory(level=Level.GRID_BRANCH, parent=community)
    grid = GridFactory(community=community, branch=branch)
    return {"district": district, "street": street, "community": community, "branch": branch, "grid": grid}


def _filed(place, level, **where):
    item = ServiceItemFactory(handling_level=level)
    return TicketFactory(service_item=item, community=place["community"], **where)


def test_grid_level_item_goes_to_the_grid_branch(place):
    ticket = _filed(place, HandlingLevel.GRID, grid=place["grid"])
    assert (ticket.handling_level, ticket.handling_org) == (HandlingLevel.GRID, place["branch"])


def test_grid_level_item_without_a_grid_goes_to_the_community(place):
    ticket = _filed(place, HandlingLevel.GRID)
    assert (ticket.handling_level, ticket.handling_org) == (HandlingLevel.COMMUNITY, place["community"])


def test_community_level_item_goes_to_the_community_even_inside_a_grid(place):
    ticket = _filed(place, HandlingLevel.COMMUNITY, grid=place["grid"])
    assert (ticket.handling_level, ticket.handling_org) == (HandlingLevel.COMMUNITY, place["community"])


def test_street_level_item_goes_to_the_communitys_street(place):
    ticket = _filed(place, HandlingLevel.STREET, grid=place["grid"])
    assert (ticket.handling_level, ticket.handling_org) == (HandlingLevel.STREET, place["street"])


def test_district_level_item_goes_to_the_district(place):
    ticket = _filed(place, HandlingLevel.DISTRICT)
    assert (ticket.handling_level, ticket.handling_org) == (HandlingLevel.DISTRICT, place["district"])


def test_district_level_item_falls_back_to_the_street_when_no_district_is_above():
    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    ticket = TicketFactory(service_item=ServiceItemFactory(handling_level=HandlingLevel.DISTRICT), community=community)
    assert (ticket.handling_level, ticket.handling_org) == (HandlingLevel.STREET, street)


def test_street_level_ticket_escalates_to_the_district_not_back_to_the_community(place):
    ticket = _filed(place, HandlingLevel.STREET)
    escalate_overdue_tickets(now=ticket.level_due_at + datetime.timedelta(minutes=1))
    ticket.refresh_from_db()
    assert (ticket.handling_level, ticket.handling_org, ticket.escalation_count) == (
        HandlingLevel.DISTRICT, place["district"], 1,
    )  # fmt: skip


def test_every_channel_files_through_the_same_routing(place):
    from services.tickets.services import ticket_create

    item = ServiceItemFactory(handling_level=HandlingLevel.STREET)
    for channel in ("open311", "api", "hotline"):
        ticket = ticket_create(
            by=None, channel=channel, service_item=item, community=place["community"], description="路灯",
            reporter_name="李四",
        )  # fmt: skip
        assert ticket.handling_org == place["street"]
