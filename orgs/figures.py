"""The organization figure family for the dashboards (interface in core.figures): organizations by level, Party
members by kind, Party-member central households (党员中心户) and cross-appointments (交叉任职) — all snapshots of now.

Where a row counts. The dashboards' leaves are grids and communities, but organizations hang on the organization
tree, some above any community. Each organization (and each member and post, through its organization) is counted
at its *anchor*: the deepest main-line organization (district, street, community) at or above it. So a grid branch,
a building group or a two-new organization under a community counts in that community; the street's own Party
working committee and the unit or two-new organizations hanging directly on the street count at the street itself
(a grid-less fact whose "community" is the street), and likewise for the district. The sums stay additive and
honest: a street's figure is its communities' figures plus the organizations attached directly to the street; its
children table lists only the communities, so the rows may add up to less than the street's tile, never more.
(In-service members reporting to a community — 双报到 — live in cobuilding and are counted by its family.)

Two GROUP BY queries (organizations, members) and one for the posts, each grouped by the anchor a correlated
subquery finds from the tree numbers.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Count, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.figures import Chart, FactRow, Family, Figure, Leaves, month_start, ratio, total
from orgs.models import CrossBody, MemberKind, Organization, OrgPosition, PartyMember
from orgs.rules import Level

MAIN_LINE = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)


def _m(name: str) -> str:
    return f"orgs.{name}"


def anchor_of(org_path: str = "") -> Subquery:
    """The id of the deepest main-line organization at or above the organization reached by `org_path` ("" for the
    row itself): a community for anything at or below one, else the street or the district it hangs on. Other apps
    whose rows name an organization that may sit above the communities (cobuilding's evaluation rounds) use it too."""
    prefix = f"{org_path}__" if org_path else ""
    holders = Organization.objects.filter(
        tree_id=OuterRef(f"{prefix}tree_id"),
        lft__lte=OuterRef(f"{prefix}lft"),
        rght__gte=OuterRef(f"{prefix}rght"),
        level__in=MAIN_LINE,
    )
    return Subquery(holders.order_by("-lft").values("pk")[:1])


def _grouped(rows: QuerySet, org_path: str, leaves: Leaves | None, aggregates: dict) -> Iterator[FactRow]:
    month = month_start(timezone.localdate())
    rows = rows.order_by().annotate(fact_anchor=anchor_of(org_path))
    if leaves is not None:
        rows = rows.filter(fact_anchor__in=leaves.communities)
    for row in rows.values("fact_anchor").annotate(**aggregates):
        for name in aggregates:
            if row[name] and row["fact_anchor"] is not None:
                yield row["fact_anchor"], None, month, _m(name), float(row[name])


def compute(leaves: Leaves | None, months: list[datetime.date]) -> Iterable[FactRow]:
    today = timezone.localdate()
    by_level = {f"level_{level}": Count("pk", filter=Q(level=level)) for level in Level.values}
    organizations = Organization.objects.filter(is_active=True)
    yield from _grouped(organizations, "", leaves, {"organizations": Count("pk")} | by_level)
    by_kind = {f"members_{kind}": Count("pk", filter=Q(kind=kind)) for kind in MemberKind.values}
    members = {"members": Count("pk"), "central_households": Count("pk", filter=Q(is_central_household=True))}
    yield from _grouped(PartyMember.objects.filter(is_active=True), "organization", leaves, members | by_kind)
    cross = OrgPosition.objects.exclude(cross_body="").filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=today), member__is_active=True
    )
    by_body = {f"cross_{body}": Count("pk", filter=Q(cross_body=body)) for body in CrossBody.values}
    yield from _grouped(cross, "organization", leaves, {"cross_appointments": Count("pk")} | by_body)


def touched(since: datetime.datetime) -> Leaves:
    """Every anchor, when any organization, member or post changed since `since`; else none.

    A finer answer would miss rows: moving an organization renumbers its whole subtree without stamping it, and a
    member or post moved to another organization leaves no trace of where it was counted before. These tables
    are small (organizations and Party members, not residents), so recomputing the family is a few cheap GROUP BYs.
    """
    changed = (
        Organization.objects.filter(updated_at__gte=since).exists()
        or PartyMember.objects.filter(updated_at__gte=since).exists()
        or OrgPosition.objects.filter(updated_at__gte=since).exists()
    )
    if not changed:
        return Leaves()
    anchors = Organization.objects.filter(level__in=MAIN_LINE).values_list("pk", flat=True)
    return Leaves(communities=frozenset(anchors))


SNAPSHOT = frozenset(
    _m(name)
    for name in (
        "organizations", *(f"level_{level}" for level in Level.values),
        "members", "central_households", *(f"members_{kind}" for kind in MemberKind.values),
        "cross_appointments", *(f"cross_{body}" for body in CrossBody.values),
    )
)  # fmt: skip

FIGURES = (
    Figure("orgs.organizations", _("党组织"), total(_m("organizations")), _("个")),
    Figure("orgs.members", _("在册党员"), total(_m("members")), _("人")),
    Figure("orgs.in_service_members", _("在职党员"), total(_m("members_in_service")), _("人")),
    Figure("orgs.central_households", _("党员中心户"), total(_m("central_households")), _("户")),
    Figure("orgs.central_household_share", _("党员中心户占比"), ratio(_m("central_households"), _m("members")),
           percent=True),
    Figure("orgs.cross_appointments", _("交叉任职"), total(_m("cross_appointments")), _("人次")),
)  # fmt: skip

FAMILY = Family(
    key="orgs",
    label=_("组织"),
    compute=compute,
    touched=touched,
    figures=FIGURES,
    snapshot_metrics=SNAPSHOT,
    trend=("orgs.members", "orgs.central_households"),
    charts=(
        Chart("orgs.by_level", _("组织层级"), "bar", tuple((lv.label, _m(f"level_{lv.value}")) for lv in Level)),
        Chart("orgs.by_kind", _("党员类别"), "pie", tuple((k.label, _m(f"members_{k.value}")) for k in MemberKind)),
        Chart("orgs.cross", _("交叉任职机构"), "bar", tuple((b.label, _m(f"cross_{b.value}")) for b in CrossBody)),
    ),
    ranked=("orgs.central_household_share", "orgs.cross_appointments"),
)
