"""Read-side figures: fulfilled share, whistle points, evaluation averages, members and feedback — in the database."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from accounts.models import Role
from cobuilding import selectors
from cobuilding.models import CommitmentProgress
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.cobuilding.factories import (
    AgreementFactory,
    CommitmentItemFactory,
    EvaluationRatingFactory,
    EvaluationRoundFactory,
    MemberReportFactory,
    ResidentUnitFactory,
    WhistleCallFactory,
    WhistleFactory,
)
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db
YEAR = timezone.localdate().year
HOUR = datetime.timedelta(hours=1)


@pytest.fixture
def street():
    return OrganizationFactory(level=Level.STREET)


@pytest.fixture
def staff(street):
    return UserFactory(role=Role.STAFF, scope=street)


def _verify(items):
    for item in items:
        item.verified_at = timezone.now()
        item.save(update_fields=["verified_at"])


def test_fulfilled_share_counts_only_verified_items(street, staff):
    agreement = AgreementFactory(unit__registered_with=street)
    items = CommitmentItemFactory.create_batch(3, agreement=agreement, target=2)
    _verify(items[:2])
    CommitmentProgress.objects.create(item=items[2], amount=Decimal("2"), reported_by=staff)  # met but unverified

    row = selectors.agreements_with_share().get(pk=agreement.pk)

    assert (row.items_total, row.items_fulfilled) == (3, 2)
    assert round(row.fulfilled_share, 4) == 0.6667


def test_agreement_without_items_has_no_share(street):
    agreement = AgreementFactory(unit__registered_with=street)
    assert selectors.agreements_with_share().get(pk=agreement.pk).fulfilled_share is None


def test_yearly_share_takes_the_items_due_that_year_and_leaves_drafts_out(street, staff):
    unit = ResidentUnitFactory(registered_with=street)
    agreement = AgreementFactory(unit=unit)
    _verify([CommitmentItemFactory(agreement=agreement)])
    CommitmentItemFactory(agreement=agreement)
    _verify([CommitmentItemFactory(agreement=agreement, due_on=datetime.date(YEAR - 1, 6, 1))])  # last year's
    draft = AgreementFactory(unit=unit, community=agreement.community, status="draft", signed_on=None)
    CommitmentItemFactory(agreement=draft)

    figures = selectors.unit_fulfilled_share(unit=unit, year=YEAR, fetched_by=staff)

    assert figures == {"items_total": 2, "items_fulfilled": 1, "fulfilled_share": Decimal("0.5000")}


def test_yearly_share_is_limited_to_the_readers_community(street):
    unit = ResidentUnitFactory(registered_with=street)
    east, west = (OrganizationFactory(level=Level.COMMUNITY, parent=street) for _ in range(2))
    _verify(CommitmentItemFactory.create_batch(2, agreement=AgreementFactory(unit=unit, community=east)))
    CommitmentItemFactory.create_batch(2, agreement=AgreementFactory(unit=unit, community=west))
    east_staff = UserFactory(role=Role.STAFF, scope=east)

    assert selectors.unit_fulfilled_share(unit=unit, year=YEAR, fetched_by=east_staff)["fulfilled_share"] == 1
    whole = selectors.unit_fulfilled_share(unit=unit, year=YEAR, fetched_by=UserFactory(scope=street))
    assert whole["fulfilled_share"] == Decimal("0.5")


def _call(unit, *, ack_offset=None, respond_offset=None, status="pending"):
    """A call with deadlines an hour from being blown; offsets are relative to those deadlines."""
    blown = timezone.now() - 4 * HOUR
    community = OrganizationFactory(level=Level.COMMUNITY, parent=unit.registered_with)
    ack_by, respond_by = blown + HOUR, blown + 3 * HOUR
    return WhistleCallFactory(
        whistle=WhistleFactory(blown_at=blown, community=community), unit=unit,
        acknowledge_by=ack_by, respond_by=respond_by,
        acknowledged_at=None if ack_offset is None else ack_by + ack_offset,
        responded_at=None if respond_offset is None else respond_by + respond_offset, status=status,
    )  # fmt: skip


@pytest.mark.parametrize(
    ("ack_offset", "respond_offset", "status", "points"),
    [
        (-HOUR / 2, -HOUR, "responded", 12),  # acknowledged and answered in time
        (None, -HOUR, "responded", 10),  # answered in time, but no acknowledgement before its deadline: no bonus
        (HOUR, -HOUR / 4, "responded", 10),  # acknowledged late, answered in time
        (-HOUR / 2, HOUR, "responded", 7),  # acknowledged in time, answered late
        (HOUR * 5, HOUR, "responded", 5),  # both late
        (-HOUR / 2, None, "overdue", 2),  # acknowledged, never answered
        (None, None, "overdue", 0),  # ignored
    ],
    ids=["on-time", "answer-only", "late-ack", "late-answer", "all-late", "no-answer", "ignored"],
)
def test_whistle_points_follow_the_one_scoring_rule(street, staff, ack_offset, respond_offset, status, points):
    unit = ResidentUnitFactory(registered_with=street)
    call = _call(unit, ack_offset=ack_offset, respond_offset=respond_offset, status=status)
    if ack_offset is None and respond_offset is not None:  # call_respond stamps the acknowledgement too
        call.acknowledged_at = call.responded_at
        call.save()
    assert selectors.unit_whistle_points(unit=unit, year=YEAR, fetched_by=staff)["points"] == points


def test_whistle_points_add_up_over_the_year_and_count_each_outcome(street, staff):
    unit = ResidentUnitFactory(registered_with=street)
    _call(unit, ack_offset=-HOUR / 2, respond_offset=-HOUR, status="responded")
    _call(unit, respond_offset=HOUR, status="responded")
    _call(unit, status="overdue")
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    WhistleCallFactory(whistle=WhistleFactory(community=community), unit=unit)  # still within its deadlines

    figures = selectors.unit_whistle_points(unit=unit, year=YEAR, fetched_by=staff)

    assert figures == {"calls": 4, "on_time": 1, "late": 1, "unanswered": 1, "open": 1, "acknowledged_on_time": 1,
                       "points": 12 + 5}  # fmt: skip
    assert selectors.unit_whistle_points(unit=unit, year=YEAR - 1, fetched_by=staff)["calls"] == 0


def test_evaluation_results_average_and_count_by_rater_kind(street, staff):
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    round_ = EvaluationRoundFactory(organization=community)
    good, weak = ResidentUnitFactory(registered_with=street), ResidentUnitFactory(registered_with=street)
    for score, kind in ((5, "resident"), (4, "resident"), (4, "party_member")):
        EvaluationRatingFactory(round=round_, unit=good, score=score, rater_kind=kind)
    EvaluationRatingFactory(round=round_, unit=weak, score=2, rater_kind="party_member")

    rows = {r["unit"]: r for r in selectors.evaluation_results(fetched_by=staff, filters={"round": round_})}

    assert round(rows[good.pk]["average_score"], 2) == 4.33
    assert (rows[good.pk]["responses"], rows[good.pk]["resident_responses"]) == (3, 2)
    assert (rows[weak.pk]["average_score"], rows[weak.pk]["party_member_responses"]) == (2, 1)
    assert selectors.unit_evaluation(unit=good, year=YEAR, fetched_by=staff)["average_score"] == Decimal("4.33")


def test_members_reported_are_the_units_own_with_feedback_by_rating(street, staff):
    unit = ResidentUnitFactory(registered_with=street)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    reports = MemberReportFactory.create_batch(3, community=community, member__organization=unit.party_organization)
    MemberReportFactory(community=community)  # someone else's member
    reports[0].feedback.create(year=YEAR, rating="excellent")
    reports[1].feedback.create(year=YEAR, rating="excellent")
    reports[2].feedback.create(year=YEAR - 1, rating="poor")

    figures = selectors.unit_member_feedback(unit=unit, year=YEAR, fetched_by=staff)

    assert figures["members_reported"] == 3
    assert figures["feedback_by_rating"] == {"excellent": 2, "good": 0, "fair": 0, "poor": 0}


def test_yearly_figures_run_a_fixed_number_of_queries(street, staff, django_assert_max_num_queries):
    unit = ResidentUnitFactory(registered_with=street)
    for _ in range(20):
        CommitmentItemFactory(agreement=AgreementFactory(unit=unit))
        _call(unit, status="overdue")
    with django_assert_max_num_queries(8):
        selectors.unit_yearly_figures(unit=unit, year=YEAR, fetched_by=staff)
