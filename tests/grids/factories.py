"""Factories for grids, grid duties, buildings, households and visits; other apps' tests import these."""

import datetime

import factory
from django.utils import timezone

from accounts.models import Role, User
from grids.models import (
    Building,
    BuildingKind,
    Grid,
    GridDuty,
    GridLevel,
    GridRole,
    Household,
    HouseholdKind,
    Visit,
    VisitKind,
)
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory


class GridFactory(factory.django.DjangoModelFactory):
    """A third-level grid directly under a community (pass `parent=` to hang it under another grid)."""

    class Meta:
        model = Grid

    community = factory.SubFactory(OrganizationFactory, level=Level.COMMUNITY)
    parent = None
    grid_level = GridLevel.THIRD
    code = factory.Sequence(lambda n: f"GRID-{n:05d}")
    name = factory.Sequence(lambda n: f"第{n}网格")


class GridRoleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = GridRole

    grid = factory.SubFactory(GridFactory)
    duty = GridDuty.FULL_TIME_WORKER
    name = factory.Sequence(lambda n: f"网格员{n}")
    phone = "13912345678"
    user = None
    started_on = datetime.date(2023, 1, 1)
    ended_on = None


class BuildingFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Building

    grid = factory.SubFactory(GridFactory)
    name = factory.Sequence(lambda n: f"{n}栋")
    address = "宁国市西津街道"
    floors = 6
    units = 2
    kind = BuildingKind.RESIDENTIAL


class HouseholdFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Household

    building = factory.SubFactory(BuildingFactory)
    unit = "1"
    room = factory.Sequence(lambda n: f"{n:04d}")
    kind = HouseholdKind.REGISTERED
    phone = "13812345678"


class VisitFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Visit

    household = factory.SubFactory(HouseholdFactory)
    visitor = factory.SubFactory(UserFactory, role=Role.GRID_WORKER)
    visited_on = factory.LazyFunction(timezone.localdate)
    kind = VisitKind.ROUTINE
    notes = "走访正常"


def grid_worker_for(grid: Grid, **user_fields) -> User:
    """A grid_worker login with a current full-time duty on `grid`: their scope is that grid."""
    user_fields.setdefault("scope", grid.community)
    user = UserFactory(role=Role.GRID_WORKER, **user_fields)
    GridRoleFactory(grid=grid, user=user, name=user.username, duty=GridDuty.FULL_TIME_WORKER)
    return user


def community_under(org):
    """The one community beneath `org` (a street), made on first use."""
    existing = org.get_children().filter(level=Level.COMMUNITY).order_by("pk").first()
    return existing or OrganizationFactory(level=Level.COMMUNITY, parent=org)


def grid_under(org) -> Grid:
    """The one second-level grid of the community under `org`, made on first use: rows made "in org" share it.

    Second level so that a third-level grid can still be created beneath it (the grids endpoint's create case).
    """
    community = community_under(org)
    existing = Grid.objects.filter(community=community).order_by("pk").first()
    return existing or GridFactory(community=community, grid_level=GridLevel.SECOND)
