"""Ticket reads that depend on the reader: possible duplicates at intake, whom to suggest for dispatch.

Both are scoped through `visible_to(fetched_by)`: a duplicate or a candidate outside the reader's scope is never
shown. Both run a constant number of queries whatever the number of rows.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.conf import settings
from django.db.models import Count, Q, QuerySet
from django.utils import timezone

from accounts.models import Role, User
from grids.models import WORKER_DUTIES, GridRole
from services.models import OPEN_STATUSES, Ticket

if TYPE_CHECKING:
    from grids.models import Building, Grid, Household
    from residents.models import Resident
    from services.models import ServiceItem

DUPLICATE_LIMIT = 10


def duplicate_window_start(now: datetime.datetime | None = None) -> datetime.datetime:
    return (now or timezone.now()) - datetime.timedelta(days=settings.TICKET_DUPLICATE_WINDOW_DAYS)


def possible_duplicates(
    *,
    fetched_by: User,
    service_item: ServiceItem | None = None,
    resident: Resident | None = None,
    household: Household | None = None,
    building: Building | None = None,
    since: datetime.datetime | None = None,
    exclude: Ticket | None = None,
) -> QuerySet[Ticket]:
    """Open tickets, filed since `since` (the duplicate window by default), that may be the same matter.

    Same resident or household (whatever the item: one caller, one open matter at a time is the usual case), or the
    same service item at the same building. Nothing to compare on → nothing found.
    """
    conditions: list[Q] = []
    if resident is not None:
        conditions.append(Q(reporter=resident))
        household = household or resident.household
    if household is not None:
        conditions.append(Q(household=household))
        building = building or household.building
    if service_item is not None and building is not None:
        conditions.append(Q(service_item=service_item, building=building))
    if not conditions:
        nothing: QuerySet[Ticket] = Ticket.objects.none()  # TicketQuerySet does not name its model yet
        return nothing
    same = conditions.pop()
    for condition in conditions:
        same |= condition
    found = Ticket.objects.visible_to(fetched_by).filter(same, status__in=OPEN_STATUSES)
    found = found.filter(created_at__gte=since or duplicate_window_start())
    if exclude is not None:
        found = found.exclude(pk=exclude.pk)
    # with_related() is untyped until services.models.tickets is typed
    duplicates: QuerySet[Ticket] = found.with_related().select_related("reporter").order_by("-created_at", "-id")
    return duplicates[:DUPLICATE_LIMIT]


@dataclass
class Candidate:
    """Someone a ticket may be dispatched to, with why they are suggested and how much they already carry."""

    user: User
    reason: str  # "grid_worker" (on duty for the ticket's grid) or "community_staff"
    grids: list[Grid] = field(default_factory=list)
    open_load: int = 0

    @property
    def suggested(self) -> bool:
        return self.reason == "grid_worker"


def dispatch_candidates(*, ticket: Ticket, fetched_by: User) -> list[Candidate]:
    """Grid workers on duty for the ticket's grid first, then staff of the ticket's community; each with their
    current grids and open load. Only people the reader may dispatch to (visible, active, staff or grid worker).
    `ticket` may be unsaved: the intake form asks before filing, from the place picked so far. A constant handful
    of queries: the people, their duties, their loads."""
    people = User.objects.visible_to(fetched_by).filter(is_active=True, role__in=(Role.GRID_WORKER, Role.STAFF))
    on_duty = Q(pk__in=[])
    if ticket.grid_id:
        duties = GridRole.objects.current().filter(grid_id=ticket.grid_id, duty__in=WORKER_DUTIES)
        on_duty = Q(pk__in=duties.values("user_id"), role=Role.GRID_WORKER)
    staff_here = Q(pk__in=[])
    if ticket.community_id:
        community = ticket.community
        staff_here = Q(
            role=Role.STAFF, scope__tree_id=community.tree_id, scope__lft__gte=community.lft,
            scope__rght__lte=community.rght,
        )  # fmt: skip
    users = list(people.filter(on_duty | staff_here).distinct().order_by("username"))
    grids = _current_grids([u.pk for u in users])
    loads = _open_loads([u.pk for u in users])
    workers = {u.pk for u in users if u.role == Role.GRID_WORKER and ticket.grid_id in {g.pk for g in grids[u.pk]}}
    found = [
        Candidate(
            user=u, reason="grid_worker" if u.pk in workers else "community_staff", grids=grids[u.pk],
            open_load=loads.get(u.pk, 0),
        )
        for u in users
    ]  # fmt: skip
    return sorted(found, key=lambda c: (not c.suggested, c.open_load, c.user.username))


def _current_grids(user_ids: list[int]) -> dict[int, list[Grid]]:
    grids: dict[int, list[Grid]] = {pk: [] for pk in user_ids}
    duties = GridRole.objects.current().filter(user_id__in=user_ids, duty__in=WORKER_DUTIES).select_related("grid")
    for duty in duties.order_by("grid__code"):
        if duty.grid not in grids[duty.user_id]:
            grids[duty.user_id].append(duty.grid)
    return grids


def _open_loads(user_ids: list[int]) -> dict[int, int]:
    rows = (
        Ticket.objects.filter(assignee_user_id__in=user_ids, status__in=OPEN_STATUSES)
        .values("assignee_user_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    return {row["assignee_user_id"]: row["n"] for row in rows}


ERRAND_ROLES = frozenset({Role.STAFF, Role.GRID_WORKER})  # who runs proxy errands (代办) for residents


def errand_runners(by: User) -> QuerySet[User]:
    """Whom `by` may name as a proxy errand's runner: themselves, and the active staff and grid workers they see."""
    people = User.objects.visible_to(by).filter(is_active=True, role__in=ERRAND_ROLES)
    runners: QuerySet[User] = (people | User.objects.filter(pk=by.pk, role__in=ERRAND_ROLES)).distinct()
    return runners
