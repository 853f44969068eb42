"""A small random city for the dashboards' tests: a street with communities, grids (some nested, some outlined),
buildings, households, residents (some care-tagged, some missing an ID or a phone), visits and tickets in every
state, spread over the last 14 months."""

from __future__ import annotations

import datetime
import random
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import Role
from grids.models import Grid, GridLevel
from orgs.models import Organization
from orgs.rules import Level
from services.models import Card, Channel, Ticket, TicketStatus
from tests.accounts.factories import UserFactory
from tests.grids.factories import BuildingFactory, GridFactory, HouseholdFactory, VisitFactory
from tests.orgs.factories import OrganizationFactory, make_id_number
from tests.residents.factories import CareTagFactory, ResidentFactory
from tests.services.factories import ServiceItemFactory, TicketFactory

OUTLINE = {"type": "Polygon", "coordinates": [[[118.9, 30.6], [119.0, 30.6], [119.0, 30.7], [118.9, 30.6]]]}


@dataclass
class World:
    district: Organization
    street: Organization
    communities: list[Organization]
    grids: list[Grid]


def build_world(seed: int = 1, communities: int = 2, tickets: int = 40) -> World:
    rng = random.Random(seed)
    district = OrganizationFactory(level=Level.DISTRICT, name="宁国市委")
    street = OrganizationFactory(level=Level.STREET, parent=district, name="西津街道党工委")
    comms = [OrganizationFactory(level=Level.COMMUNITY, parent=street, name=f"社区{n}") for n in range(communities)]
    grids: list[Grid] = []
    for community in comms:
        top = GridFactory(community=community, grid_level=GridLevel.SECOND, outline=OUTLINE)
        grids += [top, GridFactory(community=community, parent=top, outline=OUTLINE), GridFactory(community=community)]
    populate(rng, grids)
    add_tickets(rng, comms, grids, tickets)
    return World(district, street, comms, grids)


def populate(rng: random.Random, grids: list[Grid], buildings: int = 3) -> None:
    care = CareTagFactory(code="alone", name="独居老人")
    for grid in grids:
        for _ in range(buildings):
            building = BuildingFactory(grid=grid)
            for _ in range(rng.randint(0, 3)):
                household = HouseholdFactory(building=building)
                for _ in range(rng.randint(0, 2)):
                    ResidentFactory(
                        household=household,
                        id_number="" if rng.random() < 0.2 else make_id_number(),
                        phone="" if rng.random() < 0.2 else "13912345678",
                        tags=[care] if rng.random() < 0.3 else [],
                    )
                if rng.random() < 0.4:
                    VisitFactory(household=household)


def add_tickets(rng: random.Random, communities: list[Organization], grids: list[Grid], count: int) -> list[Ticket]:
    item = ServiceItemFactory()
    made = []
    for _ in range(count):
        grid = rng.choice([*grids, None])
        community = grid.community if grid else rng.choice(communities)
        made.append(TicketFactory(grid=grid, community=community, service_item=item))
    for ticket in made:
        scramble(rng, ticket)
    return made


def scramble(rng: random.Random, ticket: Ticket) -> None:
    """Put a ticket in a random state with random times over the last 14 months (set-based update, as data
    imported or aged would be)."""
    now = timezone.now()
    created = now - datetime.timedelta(days=rng.randint(0, 420), hours=rng.randint(0, 23))
    status = rng.choice(list(TicketStatus.values))
    fields = {
        "created_at": created,
        "status": status,
        "channel": rng.choice(list(Channel.values)),
        "card": rng.choice(list(Card.values)),
        "escalation_count": rng.choice([0, 0, 1, 2]),
        "resolution_due_at": created + datetime.timedelta(days=rng.randint(1, 30)),
        "accepted_at": created + datetime.timedelta(hours=rng.randint(1, 48)) if rng.random() < 0.8 else None,
        "resolved_at": None,
        "closed_at": None,
        "rating": None,
        "rated_at": None,
    }
    if status in (TicketStatus.RESOLVED, TicketStatus.CLOSED):
        done = min(created + datetime.timedelta(days=rng.randint(0, 40)), now)
        fields["resolved_at"] = done
        if status == TicketStatus.CLOSED:
            fields["closed_at"] = done
            if rng.random() < 0.7:
                fields["rating"] = rng.randint(1, 5)
                fields["rated_at"] = min(done + datetime.timedelta(days=2), now)
    Ticket.objects.filter(pk=ticket.pk).update(**fields)


def staff_of(org: Organization):
    return UserFactory(role=Role.STAFF, scope=org)


def official_of(org: Organization):
    return UserFactory(role=Role.OFFICIAL, scope=org)
