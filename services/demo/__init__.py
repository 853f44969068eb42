"""Demo services for Ningguo: the catalogue, the published lists, a year of tickets, the point-order menu,
micro-wishes and the housekeeper project library.

- The catalogue is the 56 service items of Ningguo's community service centres (seed 000: "开通就业服务、法律咨询、
  家政服务等56个服务项目"); those seed 000 names are here by name, the rest are the usual items of a community
  centre, across every category, each with its SLA.
- The micro-power list (20 items) and the staff conduct negative list (24 items) are Qingshen's (seed 003), published
  city-wide.
- Tickets at Qingshen's rate (seed 003: 20,000+ matters a year for 9 communities, i.e. about 2,200 per community): for
  the demo's 18 communities that would be 40,000 a year; to keep `seed_demo` fast the default is 3,000 tickets over
  the past year, and `--scale N` multiplies it. Old tickets are closed (most rated 3–5, some closed unrated), a few
  rejected; the last fortnight holds every open state; a few have been left open for weeks, and the real SLA sweep,
  run over the year on a held clock, has carded and climbed them to the community, the street, or the city's flag.
- A point-order menu per community (services of the community's Party organization, of in-service Party members
  and of resident units), with part of the year's tickets being orders of it.
- 534 fulfilled micro-wishes (seed 001), most confirmed by the resident, and some open ones on the wall.
- The 236 housekeeper projects (seed 002) of the three kinds; the claimed projects of past years are rated, with
  5 exemplary and 10 excellent among them.

Dates are reckoned from the real now, as the grid visits are, because the SLA sweep runs against the real clock.
History runs forward: each ticket's filing moment first, its reference's day, deadlines and events from it on.
Tickets go in with bulk inserts: references are built here in the format ticket_create uses (PREFIX-YYYYMMDD-NNNN),
continuing any day's existing count, and the TicketCounter rows are raised to each day's last number so tickets
filed afterwards continue the sequence. The first catalogue item is the marker: when it exists the builder skips.

The builder is split by topic: catalogue (service items and the two published lists), tickets and ticket_lifecycle
(a year of tickets and the path each one walks), community (the point-order menu, micro-wishes and housekeeper
projects); helpers holds the plan the steps pass along, what it is loaded with, and small shared helpers.
"""

from __future__ import annotations

from django.utils import timezone

from accounts.models import User
from core.demo import DemoContext, DemoDataError
from services.demo.catalogue import MARKER_CODE, build_catalogue, build_published_lists
from services.demo.community import build_menu, build_projects, build_wishes
from services.demo.errands import build_errands
from services.demo.helpers import DemoPlan, load_context
from services.demo.tickets import DEFAULT_ESCALATION_HOURS, TICKETS_PER_SCALE, build_tickets
from services.models import EscalationLimit, ServiceItem

__all__ = ["TICKETS_PER_SCALE", "build"]


def build(ctx: DemoContext) -> None:
    for level, hours in DEFAULT_ESCALATION_HOURS.items():
        EscalationLimit.objects.get_or_create(level=level, defaults={"working_hours": hours})
    if ServiceItem.objects.filter(code=MARKER_CODE).exists():
        ctx.say("services: the demo catalogue already exists, leaving services as they are")
        return
    admin = User.objects.filter(is_superuser=True).order_by("pk").first()
    if admin is None:
        raise DemoDataError("services: the demo needs the superuser the accounts builder makes")
    plan = DemoPlan(now=timezone.now().replace(microsecond=0), admin=admin, communities=ctx.shared["communities"])
    load_context(ctx, plan)
    build_catalogue(ctx, plan)
    build_published_lists(ctx)
    build_menu(ctx, plan)
    build_tickets(ctx, plan)
    build_errands(ctx, plan)
    build_wishes(ctx, plan)
    build_projects(ctx, plan)
