"""Co-building reads that need annotation or the reader's scope: fulfilled shares, a unit's yearly figures.

Every figure is a database aggregate over rows the reader may see (`visible_to(fetched_by)`), so a community's
staff get their own community's part of a unit shared by several communities, and no function loops over rows in
Python. Pages, API and the yearly xlsx all read through here.
"""

from __future__ import annotations

import datetime
from decimal import Decimal
from typing import TYPE_CHECKING, Any, TypedDict

from django.db.models import (
    Aggregate,
    Avg,
    Case,
    Count,
    DecimalField,
    F,
    FloatField,
    IntegerField,
    Prefetch,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.expressions import CombinedExpression
from django.db.models.functions import Cast, Coalesce, NullIf

from cobuilding.models import (
    AgreementStatus,
    CallStatus,
    CoBuildingAgreement,
    CommitmentItem,
    EvaluationRating,
    FeedbackRating,
    MemberFeedback,
    MemberReport,
    RaterKind,
    ResidentUnit,
    WhistleCall,
)

if TYPE_CHECKING:
    from django_stubs_ext import WithAnnotations

    from accounts.models import User

    # What the annotating reads below add to their rows (the pages, the API and the yearly xlsx read them).
    class _Shares(TypedDict):
        items_total: int
        items_fulfilled: int
        fulfilled_share: float | None

    class _Progress(TypedDict):
        progress_total: Decimal

    class _Points(TypedDict):
        points: int

    AgreementWithShare = WithAnnotations[CoBuildingAgreement, _Shares]
    ItemWithProgress = WithAnnotations[CommitmentItem, _Progress]
    CallWithPoints = WithAnnotations[WhistleCall, _Points]

_VERIFIED = Q(verified_at__isnull=False)


def _share(fulfilled: str, total: str) -> CombinedExpression:
    """fulfilled / total as a float, NULL when there is nothing to fulfil; presentation rounds it (0.6667)."""
    return Cast(F(fulfilled), FloatField()) / NullIf(Cast(F(total), FloatField()), Value(0.0))


# --- agreements -----------------------------------------------------------------------------------------------


def agreements_with_share(
    queryset: QuerySet[CoBuildingAgreement] | None = None,
) -> QuerySet[AgreementWithShare]:
    """Agreements annotated with items_total, items_fulfilled (verified by the community) and fulfilled_share.

    A unit's own progress reports do not make an item fulfilled: only the community's verification does.
    """
    queryset = CoBuildingAgreement.objects.all() if queryset is None else queryset
    return queryset.annotate(
        items_total=Count("items", distinct=True),
        items_fulfilled=Count("items", filter=Q(items__verified_at__isnull=False), distinct=True),
    ).annotate(fulfilled_share=_share("items_fulfilled", "items_total"))


def commitments_with_progress(queryset: QuerySet[CommitmentItem] | None = None) -> QuerySet[ItemWithProgress]:
    queryset = CommitmentItem.objects.all() if queryset is None else queryset
    return queryset.annotate(
        progress_total=Coalesce(Sum("progress_entries__amount"), Decimal("0"), output_field=DecimalField())
    )


def agreement_list(*, fetched_by: User, filters: dict[str, Any] | None = None) -> QuerySet[AgreementWithShare]:
    """Agreements the user may see, with their shares and their service lists (one query for all the items)."""
    items = commitments_with_progress(CommitmentItem.objects.order_by("due_on", "id"))
    return (
        agreements_with_share(CoBuildingAgreement.objects.visible_to(fetched_by).filter(**(filters or {})))
        .select_related("unit", "community")
        .prefetch_related(Prefetch("items", queryset=items))
        .order_by("-starts_on", "id")
    )


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


def unit_agreements_in_year(*, unit: ResidentUnit, year: int, fetched_by: User) -> QuerySet[AgreementWithShare]:
    """The unit's agreements running at some point in `year` (drafts left out), with their shares."""
    first, last = _year_bounds(year)
    return agreement_list(
        fetched_by=fetched_by, filters={"unit": unit, "starts_on__lte": last, "ends_on__gte": first}
    ).exclude(status=AgreementStatus.DRAFT)


def unit_items_due_in_year(*, unit: ResidentUnit, year: int, fetched_by: User) -> QuerySet[CommitmentItem]:
    """The items the yearly share is computed over: due in `year`, of the unit's non-draft agreements."""
    return (
        CommitmentItem.objects.visible_to(fetched_by)
        .filter(agreement__unit=unit, due_on__year=year)
        .exclude(agreement__status=AgreementStatus.DRAFT)
    )


def unit_fulfilled_share(*, unit: ResidentUnit, year: int, fetched_by: User) -> dict[str, int | Decimal | None]:
    figures = unit_items_due_in_year(unit=unit, year=year, fetched_by=fetched_by).aggregate(
        items_total=Count("id"), items_fulfilled=Count("id", filter=_VERIFIED)
    )
    total, fulfilled = figures["items_total"], figures["items_fulfilled"]
    share = (Decimal(fulfilled) / Decimal(total)).quantize(Decimal("0.0001")) if total else None
    return {"items_total": total, "items_fulfilled": fulfilled, "fulfilled_share": share}


# --- in-service members ---------------------------------------------------------------------------------------


def unit_member_reports(*, unit: ResidentUnit, fetched_by: User) -> QuerySet[MemberReport]:
    """Active reports of the unit's own members (those whose Party organization is the unit's) to communities."""
    if not unit.party_organization_id:
        return MemberReport.objects.none()
    return (
        MemberReport.objects.visible_to(fetched_by)
        .filter(member__organization_id=unit.party_organization_id, is_active=True)
        .select_related("member", "community")
    )


def unit_member_feedback(*, unit: ResidentUnit, year: int, fetched_by: User) -> dict[str, Any]:
    """How many of the unit's members reported, and the community's feedback on them for `year` by rating."""
    reported = unit_member_reports(unit=unit, fetched_by=fetched_by).count()
    feedback = MemberFeedback.objects.visible_to(fetched_by).filter(year=year)
    if unit.party_organization_id:
        feedback = feedback.filter(report__member__organization_id=unit.party_organization_id)
    else:
        feedback = feedback.none()
    counts = feedback.aggregate(
        **{rating.value: Count("id", filter=Q(rating=rating.value)) for rating in FeedbackRating}
    )
    return {"members_reported": reported, "feedback_given": sum(counts.values()), "feedback_by_rating": counts}


# --- whistle points -------------------------------------------------------------------------------------------

# The one scoring rule for whistle responses (吹哨响应积分). Per call, in the year the whistle was blown:
#   responded before its respond_by deadline ........ 10
#   responded after the deadline (a late answer) .... 5
#   no response and the deadline has passed ......... 0
#   and +2 when the call was acknowledged (报到) before its acknowledge_by deadline.
# Calls still inside their deadlines and unanswered score nothing yet and are counted as open.
WHISTLE_POINTS_ON_TIME = 10
WHISTLE_POINTS_LATE = 5
WHISTLE_POINTS_UNANSWERED = 0
WHISTLE_POINTS_ACK_BONUS = 2

_ON_TIME = Q(responded_at__isnull=False, responded_at__lte=F("respond_by"))
_LATE = Q(responded_at__isnull=False, responded_at__gt=F("respond_by"))
_ACK_ON_TIME = Q(acknowledged_at__isnull=False, acknowledged_at__lte=F("acknowledge_by"))


def whistle_call_points() -> CombinedExpression:
    """The scoring rule above as one SQL expression, usable in annotate() and aggregate()."""
    response = Case(
        When(_ON_TIME, then=Value(WHISTLE_POINTS_ON_TIME)),
        When(_LATE, then=Value(WHISTLE_POINTS_LATE)),
        default=Value(WHISTLE_POINTS_UNANSWERED),
        output_field=IntegerField(),
    )
    bonus = Case(
        When(_ACK_ON_TIME, then=Value(WHISTLE_POINTS_ACK_BONUS)), default=Value(0), output_field=IntegerField()
    )
    return response + bonus


def unit_whistle_calls(*, unit: ResidentUnit, year: int, fetched_by: User) -> QuerySet[CallWithPoints]:
    calls: QuerySet[CallWithPoints] = (
        WhistleCall.objects.visible_to(fetched_by)
        .filter(unit=unit, whistle__blown_at__year=year)
        .select_related("whistle__community")
        .annotate(points=whistle_call_points())
    )
    return calls


def unit_whistle_points(*, unit: ResidentUnit, year: int, fetched_by: User) -> dict[str, int]:
    calls = WhistleCall.objects.visible_to(fetched_by).filter(unit=unit, whistle__blown_at__year=year)
    figures = calls.aggregate(
        calls=Count("id"),
        on_time=Count("id", filter=_ON_TIME),
        late=Count("id", filter=_LATE),
        unanswered=Count("id", filter=Q(status=CallStatus.OVERDUE)),
        open=Count("id", filter=Q(status__in=(CallStatus.PENDING, CallStatus.ACKNOWLEDGED))),
        acknowledged_on_time=Count("id", filter=_ACK_ON_TIME),
        points=Coalesce(Sum(whistle_call_points()), 0),
    )
    return figures


# --- democratic evaluation ------------------------------------------------------------------------------------


def _rater_counts() -> dict[str, Aggregate]:
    return {f"{kind.value}_responses": Count("id", filter=Q(rater_kind=kind.value)) for kind in RaterKind}


def evaluation_results(
    *, fetched_by: User, filters: dict[str, Any] | None = None
) -> QuerySet[EvaluationRating, dict[str, Any]]:
    """One row per unit and year: average score (2 places), responses, and responses by rater kind."""
    return (
        EvaluationRating.objects.visible_to(fetched_by)
        .filter(**(filters or {}))
        .values("unit", "unit__name", "round__year")
        .annotate(
            average_score=Avg("score", output_field=FloatField()),
            responses=Count("id"),
            **_rater_counts(),
        )
        .order_by("round__year", "unit__name")
    )


def unit_evaluation(*, unit: ResidentUnit, year: int, fetched_by: User) -> dict[str, Any]:
    ratings = EvaluationRating.objects.visible_to(fetched_by).filter(unit=unit, round__year=year)
    figures = ratings.aggregate(
        average=Avg("score", output_field=FloatField()), responses=Count("id"), **_rater_counts()
    )
    average = figures.pop("average")
    figures["average_score"] = None if average is None else Decimal(str(average)).quantize(Decimal("0.01"))
    return figures


# --- the unit's year ------------------------------------------------------------------------------------------


def unit_yearly_figures(*, unit: ResidentUnit, year: int, fetched_by: User) -> dict[str, Any]:
    """The figures of the unit's yearly review (述职考评): share, members and feedback, whistle points, evaluation."""
    return {
        "unit": unit.pk,
        "unit_name": unit.name,
        "year": year,
        "commitments": unit_fulfilled_share(unit=unit, year=year, fetched_by=fetched_by),
        "members": unit_member_feedback(unit=unit, year=year, fetched_by=fetched_by),
        "whistles": unit_whistle_points(unit=unit, year=year, fetched_by=fetched_by),
        "evaluation": unit_evaluation(unit=unit, year=year, fetched_by=fetched_by),
    }
