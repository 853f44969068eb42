"""Demo co-building for Ningguo (seed 000): 214 resident units reporting to the 18 communities, agreements with
service lists, about 2,100 in-service Party members reported to their home communities, four quarterly joint
meetings per community with claimed and carried-over items, a few whistles, and one evaluation round.

Every community is linked to 4–8 city departments (registered with the city, each linked to several communities);
the other units are registered with their street and report to one community, some to two. Units whose Party
organization the organization builder made (the hospital, the middle school, the power company...) are tied to it.
Dates are reckoned from the real today, as the grid visits are, because the reminders and the overdue sweep run
against the real clock: a couple of agreements end within 30 days, some commitments fall due this week.

Rows go in with bulk inserts, a quarter of meetings at a time so each carried-over copy can point at its original.
The first department is the marker. With `--members` (an exact number of Party members) no member is added and
only the spine's in-service members report; by default in-service members are added to reach 2,100 × scale.

The builder is split by topic: units (the units and their reports), agreements (agreements and their service
lists), members (in-service members), meetings (joint meetings and their items), whistles_evaluations (whistles and
the democratic evaluation); helpers holds the plan the steps pass along and small date helpers.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.demo import DEMO_PASSWORD, add_login_row
from accounts.models import Role, User
from accounts.services import user_create
from cobuilding.demo.agreements import build_agreements
from cobuilding.demo.helpers import DemoPlan
from cobuilding.demo.meetings import build_meetings
from cobuilding.demo.members import build_members
from cobuilding.demo.units import DEPARTMENTS, build_units
from cobuilding.demo.whistles_evaluations import build_evaluations, build_whistles
from cobuilding.models import ResidentUnit
from core.demo import DemoContext, DemoDataError

LIAISON_USERNAME = "unit"


def build(ctx: DemoContext) -> None:
    communities = ctx.shared["communities"]
    unit = ResidentUnit.objects.filter(name=DEPARTMENTS[0]).first()
    if unit is not None:
        ctx.say("cobuilding: the demo units already exist, leaving them as they are")
        liaison_unit = ResidentUnit.objects.filter(liaison_users__username=LIAISON_USERNAME).first()
    else:
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        if admin is None:
            raise DemoDataError("cobuilding: the demo needs the superuser the accounts builder makes")
        plan = DemoPlan(today=timezone.localdate(), admin=admin, communities=communities)
        build_units(ctx, plan)
        build_agreements(ctx, plan)
        build_members(ctx, plan)
        build_meetings(ctx, plan)
        build_whistles(ctx, plan)
        build_evaluations(ctx, plan)
        liaison_unit = plan.liaison_unit
    ctx.shared["resident_units"] = list(ResidentUnit.objects.order_by("name"))
    if liaison_unit is not None:
        _liaison_login(ctx, liaison_unit)


# --- The liaison login --------------------------------------------------------------------------------------------


def _liaison_login(ctx: DemoContext, unit: ResidentUnit) -> None:
    user = User.objects.filter(username=LIAISON_USERNAME).select_related("unit").first()
    created = user is None
    if created:
        admin = User.objects.filter(is_superuser=True).order_by("pk").first()
        user = user_create(username=LIAISON_USERNAME, password=DEMO_PASSWORD, role=Role.UNIT_LIAISON, scope=None,
                           by=admin, unit=unit, first_name=f"{unit.name}联络员")  # fmt: skip
    add_login_row(ctx, user, created)
