"""What the services demo steps share: the plan passed from step to step, what it is loaded with from the builders
before, and small helpers for dates."""

from __future__ import annotations

import contextlib
import datetime
from collections import defaultdict
from dataclasses import dataclass, field
from unittest import mock

from accounts.models import Role, User
from cobuilding.models import AgreementStatus, CoBuildingAgreement, MemberReport
from core.demo import DemoContext
from grids.models import Grid
from orgs.models import Organization
from residents.models import Resident
from services.models import MenuService, ServiceItem

DAY = datetime.timedelta(days=1)
HOUR = datetime.timedelta(hours=1)


@contextlib.contextmanager
def keeping_dates(*fields):
    """Let bulk_create write the past dates we give instead of auto_now_add's now."""
    saved = [(f, f.auto_now_add) for f in fields]
    for f, _flag in saved:
        f.auto_now_add = False
    try:
        yield
    finally:
        for f, flag in saved:
            f.auto_now_add = flag


@contextlib.contextmanager
def frozen_clock(moment: datetime.datetime):
    """Hold django.utils.timezone.now() at `moment`, so the real services stamp their rows (auto_now_add and all)
    with the demo's past instead of the clock's today."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


@dataclass
class DemoPlan:
    now: datetime.datetime
    admin: User
    communities: list[Organization]
    items: list[ServiceItem] = field(default_factory=list)
    grids_by_community: dict[int, list[Grid]] = field(default_factory=lambda: defaultdict(list))
    residents_by_grid: dict[int, list[tuple[int, str]]] = field(default_factory=lambda: defaultdict(list))
    staff_by_community: dict[int, User] = field(default_factory=dict)
    units_by_community: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    members_by_community: dict[int, list] = field(default_factory=lambda: defaultdict(list))
    menu_by_community: dict[int, list[MenuService]] = field(default_factory=lambda: defaultdict(list))
    workers: dict[int, User] = field(default_factory=dict)  # grid id -> its full-time grid worker


def load_context(ctx: DemoContext, plan: DemoPlan) -> None:
    grids = ctx.shared["third_level_grids"]
    for grid in grids:
        plan.grids_by_community[grid.community_id].append(grid)
    rows = Resident.objects.filter(household__building__grid__in=grids).order_by("pk")
    for pk, name, grid_id in rows.values_list("pk", "name", "household__building__grid_id"):
        plan.residents_by_grid[grid_id].append((pk, name))
    users = User.objects.in_bulk(list(ctx.shared["grid_workers"].values()))
    plan.workers = {grid_id: users[user_id] for grid_id, user_id in ctx.shared["grid_workers"].items()}
    for user in User.objects.filter(role=Role.STAFF, is_active=True, scope__in=plan.communities).order_by("pk"):
        plan.staff_by_community.setdefault(user.scope_id, user)
    active = CoBuildingAgreement.objects.filter(status=AgreementStatus.ACTIVE, community__in=plan.communities)
    for agreement in active.select_related("unit").order_by("pk"):
        if agreement.unit not in plan.units_by_community[agreement.community_id]:
            plan.units_by_community[agreement.community_id].append(agreement.unit)
    reports = MemberReport.objects.filter(is_active=True, community__in=plan.communities).select_related("member")
    for report in reports.order_by("pk"):
        plan.members_by_community[report.community_id].append(report.member)
