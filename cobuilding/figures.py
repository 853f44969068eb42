"""The co-building figure family for the dashboards (interface in core.figures), per community per month.

Snapshots of now: units reported to the community (单位报到) and in-service Party members reported to it (个人报到,
the 双报到 count: the reports live here in cobuilding, so the organization family leaves them to this one), active
agreements, and the commitments of active agreements with those the community verified as fulfilled. Attributed to
the month they happened: joint-meeting items raised and carried over (the meeting's month), claimed (claimed_at)
and closed (closed_at); whistle calls (the whistle's month) and those answered by their deadline; democratic
evaluation scores (the rating's month, at the community or street that ran the round: orgs.figures.anchor_of).
The current month's on-time share of whistle calls is provisional: a call still within its deadline counts as not
yet answered on time. One GROUP BY per model; nothing loops over rows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator

from django.db.models import Count, DateField, F, Q, QuerySet, Sum
from django.db.models.functions import TruncMonth
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cobuilding.models import (
    AgendaItem,
    AgreementStatus,
    CoBuildingAgreement,
    CommitmentItem,
    EvaluationRating,
    MemberReport,
    ReportStatus,
    UnitReport,
    WhistleCall,
)
from core.figures import Chart, FactRow, Family, Figure, Leaves, mean, month_start, ratio, total
from orgs.figures import anchor_of

SCORES = range(1, 6)


def _m(name: str) -> str:
    return f"cobuilding.{name}"


def _grouped(
    rows: QuerySet, community: str, month_of: str | None, aggregates: dict, leaves: Leaves | None
) -> Iterator[FactRow]:
    """One GROUP BY (community at `community`, month of `month_of`, or this month for a snapshot)."""
    rows = rows.order_by().annotate(fact_community=F(community))
    if leaves is not None:
        rows = rows.filter(fact_community__in=leaves.communities)
    this_month = month_start(timezone.localdate())
    if month_of is not None:
        rows = rows.annotate(fact_month=TruncMonth(month_of, output_field=DateField()))
    keys = ["fact_community", "fact_month"] if month_of is not None else ["fact_community"]
    for row in rows.values(*keys).annotate(**aggregates):
        month = row.get("fact_month", this_month)
        for name in aggregates:
            if row[name] and month is not None and row["fact_community"] is not None:
                yield row["fact_community"], None, month, _m(name), float(row[name])


def compute(leaves: Leaves | None, months: list[datetime.date]) -> Iterable[FactRow]:
    yield from _snapshots(leaves)
    items = AgendaItem.objects.all()
    raised = {"items": Count("pk"), "items_carried_over": Count("pk", filter=Q(carried_from__isnull=False))}
    yield from _grouped(items, "meeting__community_id", "meeting__held_at", raised, leaves)
    claimed = items.filter(claimed_at__isnull=False)
    yield from _grouped(claimed, "meeting__community_id", "claimed_at", {"items_claimed": Count("pk")}, leaves)
    closed = items.filter(closed_at__isnull=False)
    yield from _grouped(closed, "meeting__community_id", "closed_at", {"items_closed": Count("pk")}, leaves)
    on_time = Q(responded_at__isnull=False, responded_at__lte=F("respond_by"))
    calls = {"whistle_calls": Count("pk"), "whistle_calls_on_time": Count("pk", filter=on_time)}
    yield from _grouped(WhistleCall.objects.all(), "whistle__community_id", "whistle__blown_at", calls, leaves)
    scores = {"score_count": Count("pk"), "score_sum": Sum("score")}
    scores |= {f"score_{n}": Count("pk", filter=Q(score=n)) for n in SCORES}
    ratings = EvaluationRating.objects.annotate(fact_anchor=anchor_of("round__organization"))
    yield from _grouped(ratings, "fact_anchor", "created_at", scores, leaves)


def _snapshots(leaves: Leaves | None) -> Iterator[FactRow]:
    units = UnitReport.objects.filter(status=ReportStatus.ACTIVE)
    yield from _grouped(units, "community_id", None, {"units_reported": Count("pk")}, leaves)
    members = MemberReport.objects.filter(is_active=True)
    yield from _grouped(members, "community_id", None, {"members_reported": Count("pk")}, leaves)
    agreements = CoBuildingAgreement.objects.filter(status=AgreementStatus.ACTIVE)
    yield from _grouped(agreements, "community_id", None, {"agreements_active": Count("pk")}, leaves)
    commitments = CommitmentItem.objects.filter(agreement__status=AgreementStatus.ACTIVE)
    counts = {"commitments": Count("pk"), "commitments_fulfilled": Count("pk", filter=Q(verified_at__isnull=False))}
    yield from _grouped(commitments, "agreement__community_id", None, counts, leaves)


def touched(since: datetime.datetime) -> Leaves:
    """Communities of reports, agreements, commitments, agenda items, whistle calls and ratings saved since
    `since` (each stamps updated_at, the two set-based updates in cobuilding.services too). A meeting or whistle
    re-dated, or a row moved to another community, waits for the nightly rebuild."""
    sources = [
        (UnitReport.objects.filter(updated_at__gte=since), "community_id"),
        (MemberReport.objects.filter(updated_at__gte=since), "community_id"),
        (CoBuildingAgreement.objects.filter(updated_at__gte=since), "community_id"),
        (CommitmentItem.objects.filter(updated_at__gte=since), "agreement__community_id"),
        (AgendaItem.objects.filter(updated_at__gte=since), "meeting__community_id"),
        (WhistleCall.objects.filter(updated_at__gte=since), "whistle__community_id"),
        (
            EvaluationRating.objects.filter(updated_at__gte=since).annotate(anchor=anchor_of("round__organization")),
            "anchor",
        ),
    ]
    found: set[int | None] = set()
    for rows, path in sources:
        found.update(rows.order_by().values_list(path, flat=True).distinct())
    return Leaves(communities=frozenset(pk for pk in found if pk is not None))


SNAPSHOT = frozenset(
    _m(n) for n in ("units_reported", "members_reported", "agreements_active", "commitments", "commitments_fulfilled")
)

FIGURES = (
    Figure("cobuilding.units_reported", _("报到单位"), total(_m("units_reported")), _("个")),
    Figure("cobuilding.members_reported", _("在职党员报到"), total(_m("members_reported")), _("人")),
    Figure("cobuilding.agreements_active", _("生效共建协议"), total(_m("agreements_active")), _("份")),
    Figure(
        "cobuilding.commitments_fulfilled_share",
        _("承诺兑现率"),
        ratio(_m("commitments_fulfilled"), _m("commitments")),
        percent=True,
    ),
    Figure("cobuilding.items_claimed", _("联席会议认领议题"), total(_m("items_claimed")), _("项")),
    Figure("cobuilding.items_closed", _("联席会议办结议题"), total(_m("items_closed")), _("项")),
    Figure(
        "cobuilding.items_carried_over", _("结转议题"), total(_m("items_carried_over")), _("项"), higher_is_better=False
    ),
    Figure(
        "cobuilding.whistle_on_time_share",
        _("吹哨按时响应率"),
        ratio(_m("whistle_calls_on_time"), _m("whistle_calls")),
        percent=True,
    ),
    Figure("cobuilding.evaluation_score", _("民主评议平均分"), mean(_m("score_sum"), _m("score_count")), _("分")),
)

FAMILY = Family(
    key="cobuilding",
    label=_("共驻共建"),
    compute=compute,
    touched=touched,
    figures=FIGURES,
    snapshot_metrics=SNAPSHOT,
    trend=("cobuilding.items_claimed", "cobuilding.items_closed"),
    charts=(
        Chart(
            "cobuilding.items",
            _("联席会议议题"),
            "bar",
            (
                (_("提出"), _m("items")),
                (_("认领"), _m("items_claimed")),
                (_("办结"), _m("items_closed")),
                (_("结转"), _m("items_carried_over")),
            ),
        ),
        Chart("cobuilding.scores", _("民主评议得分分布"), "bar", tuple((f"{n}★", _m(f"score_{n}")) for n in SCORES)),
    ),  # fmt: skip
    ranked=("cobuilding.commitments_fulfilled_share", "cobuilding.whistle_on_time_share"),
)
