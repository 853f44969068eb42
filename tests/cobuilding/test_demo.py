"""The demo city's co-building: Ningguo's 214 units and 2,100 reported members, meetings with carried-over items,
whistles, an evaluation round, a working unit-liaison login, and a second run that changes nothing."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Count, F, Q
from django.test import Client, override_settings
from django.utils import timezone

from accounts.demo import DEMO_PASSWORD
from accounts.models import Role, User
from cobuilding import reminders
from cobuilding.models import (
    AgendaItem,
    AgendaItemProgress,
    AgreementStatus,
    CallStatus,
    CoBuildingAgreement,
    CommitmentItem,
    EvaluationRating,
    JointMeeting,
    MemberReport,
    ResidentUnit,
    UnitKind,
    UnitReport,
    WhistleCall,
)
from orgs.models import MemberKind, Organization, PartyMember
from orgs.rules import Level

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """One demo city for the whole module, rolled back at the end; its output kept for the logins table."""
    out = StringIO()
    with django_db_blocker.unblock(), override_settings(DEBUG=True), transaction.atomic():
        call_command("seed_demo", stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


def test_214_units_report_to_the_18_communities_each_with_four_to_eight_city_departments(seeded):
    assert ResidentUnit.objects.count() == 214
    communities = Organization.objects.filter(level=Level.COMMUNITY)
    assert communities.count() == 18
    city = Organization.objects.get(code="NG")
    departments = UnitReport.objects.filter(unit__registered_with=city, unit__kind=UnitKind.GOVERNMENT)
    per_community = dict(departments.values_list("community").annotate(n=Count("pk")))
    assert set(per_community) == set(communities.values_list("pk", flat=True))
    assert all(4 <= n <= 8 for n in per_community.values())
    assert len(set(ResidentUnit.objects.values_list("kind", flat=True))) >= 8
    two = ResidentUnit.objects.exclude(registered_with=city).annotate(n=Count("reports")).filter(n=2)
    assert two.exists()
    assert not ResidentUnit.objects.annotate(n=Count("reports")).filter(n=0).exists()


def test_agreements_have_service_lists_some_verified_some_in_progress_and_a_couple_expiring(seeded):
    today = timezone.localdate()
    active = CoBuildingAgreement.objects.filter(status=AgreementStatus.ACTIVE)
    assert active.count() > 200
    assert not active.annotate(n=Count("items")).filter(n=0).exists()
    expiring = active.filter(ends_on__gte=today, ends_on__lte=today + datetime.timedelta(days=30)).count()
    assert 2 <= expiring <= 5
    items = CommitmentItem.objects.filter(agreement__status=AgreementStatus.ACTIVE)
    assert items.filter(verified_at__isnull=False).exists()
    assert items.filter(verified_at__isnull=True, progress_entries__isnull=False).exists()
    # Each agreement sits in a community the unit reports to: each community sees only its own.
    assert not CoBuildingAgreement.objects.exclude(unit__reports__community=F("community")).exists()


def test_about_2100_in_service_members_report_to_their_home_communities(seeded):
    reports = MemberReport.objects.filter(is_active=True)
    assert 2050 <= reports.count() <= 2150
    assert not reports.exclude(member__kind=MemberKind.IN_SERVICE).exists()
    assert set(reports.values_list("community__level", flat=True)) == {Level.COMMUNITY}
    assert (
        PartyMember.objects.filter(kind=MemberKind.IN_SERVICE, organization__resident_unit__isnull=False).count() > 500
    )
    unit = ResidentUnit.objects.get(name="宁国市人民医院")
    assert unit.party_member_count == unit.party_organization.members.count() > 0


def test_four_quarterly_meetings_per_community_with_claimed_and_carried_over_items(seeded):
    per_community = JointMeeting.objects.values("community").annotate(n=Count("pk"))
    assert len(per_community) == 18 and {row["n"] for row in per_community} == {4}
    assert AgendaItem.objects.filter(claimed_by__isnull=False).exists()
    carried = AgendaItem.objects.filter(carried_from__isnull=False).select_related("carried_from__meeting", "meeting")
    assert carried.exists()
    for item in carried[:50]:
        assert item.carried_from.status != "closed" and item.carried_from.title == item.title
        assert item.carried_from.meeting.held_at < item.meeting.held_at
        assert item.carried_from.meeting.community_id == item.meeting.community_id
    # Nothing is carried twice, and nothing closed is carried.
    assert not AgendaItem.objects.filter(status="closed", carried_to__isnull=False).exists()
    claimers = AgendaItem.objects.filter(claimed_by__isnull=False, carried_from__isnull=True)
    assert not claimers.exclude(meeting__attending_units=F("claimed_by")).exists()


def test_whistles_have_calls_answered_on_time_late_and_overdue(seeded):
    calls = WhistleCall.objects.all()
    assert calls.filter(status=CallStatus.OVERDUE).exists()
    answered = calls.filter(status=CallStatus.RESPONDED)
    assert answered.filter(responded_at__lte=F("respond_by")).exists()
    assert answered.filter(responded_at__gt=F("respond_by")).exists()


def test_one_evaluation_round_rates_the_units(seeded):
    ratings = EvaluationRating.objects.all()
    assert ratings.values("round__year").distinct().count() == 1
    assert ratings.values("unit").distinct().count() == 214
    assert set(ratings.values_list("score", flat=True)) <= {1, 2, 3, 4, 5}


def test_the_unit_liaison_logs_in_and_sees_only_their_unit(seeded):
    assert "unit" in seeded and "驻区单位联络员" in seeded
    user = User.objects.get(username="unit")
    assert user.role == Role.UNIT_LIAISON and user.unit is not None
    assert Client().login(username="unit", password=DEMO_PASSWORD)
    assert list(ResidentUnit.objects.visible_to(user)) == [user.unit]
    assert user.unit.reports.count() == 2
    assert AgendaItem.objects.visible_to(user).filter(claimed_by=user.unit, status="claimed").exists()
    assert AgendaItem.objects.visible_to(user).filter(status="open").exists()


def test_the_daily_reminders_find_something_in_the_demo(seeded):
    sent = reminders.send_daily_reminders()
    assert sent["agreements"] > 0 and sent["commitments"] > 0
    assert reminders.send_daily_reminders() == {"agreements": 0, "commitments": 0, "meetings": 0, "whistles": 0}


def test_seeding_twice_changes_nothing(seeded, settings):
    settings.DEBUG = True
    models = (ResidentUnit, UnitReport, CoBuildingAgreement, CommitmentItem, MemberReport, PartyMember, JointMeeting,
              AgendaItem, WhistleCall, EvaluationRating, User)  # fmt: skip
    before = [model.objects.count() for model in models]
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert [model.objects.count() for model in models] == before
    assert "already exist" in out.getvalue()


# --- History runs forward: checks over every meeting and whistle call of the seeded demo ---------------------------


def agenda_items_out_of_time() -> list[int]:
    """Items claimed, due or closed before they were first raised (a carried item keeps its claim from the meeting it
    came from), anything after now, closed before claimed, progress before the item's meeting or after today."""
    fields = ("pk", "carried_from_id", "meeting__held_at", "claimed_at", "closed_at", "due_on")
    rows = AgendaItem.objects.values_list(*fields)
    items = {pk: (carried_from, held_at) for pk, carried_from, held_at, *_rest in rows}

    def raised(pk: int) -> datetime.datetime:
        while items[pk][0] is not None:
            pk = items[pk][0]
        return items[pk][1]

    now, wrong = timezone.now(), set()
    for pk, _carried, held_at, claimed_at, closed_at, due_on in rows:
        first = raised(pk)
        stamps = [moment for moment in (claimed_at, closed_at) if moment is not None]
        if any(not first <= moment <= now for moment in stamps) or (closed_at and held_at > closed_at):
            wrong.add(pk)
        if (claimed_at and closed_at and closed_at < claimed_at) or (due_on and due_on < timezone.localdate(first)):
            wrong.add(pk)
    for item_id, reported_on, held_at in AgendaItemProgress.objects.values_list(
        "item_id", "reported_on", "item__meeting__held_at"
    ):
        if not timezone.localdate(held_at) <= reported_on <= timezone.localdate(now):
            wrong.add(item_id)
    return sorted(wrong)


def whistle_calls_out_of_time() -> list[int]:
    """Calls with a deadline at or before the whistle, an answer before it, an answer or a lapse still to come, or
    an overdue mark before the deadline it lapsed."""
    blown, now = F("whistle__blown_at"), timezone.now()
    wrong = (
        Q(acknowledge_by__lte=blown) | Q(respond_by__lte=blown) | Q(respond_by__lt=F("acknowledge_by"))
        | Q(acknowledged_at__lt=blown) | Q(responded_at__lt=blown) | Q(whistle__blown_at__gt=now)
        | Q(acknowledged_at__gt=now) | Q(responded_at__gt=now) | Q(overdue_at__gt=now)
        | Q(overdue_at__lt=F("acknowledge_by"), acknowledged_at__isnull=True)
        | Q(overdue_at__lt=F("respond_by"), acknowledged_at__isnull=False)
        | Q(status=CallStatus.OVERDUE, overdue_at__isnull=True)
    )  # fmt: skip
    return sorted(WhistleCall.objects.filter(wrong).values_list("pk", flat=True))


def test_no_agenda_item_is_claimed_closed_or_reported_on_before_its_meeting(seeded):
    assert AgendaItem.objects.exists()
    assert agenda_items_out_of_time() == []


def test_no_whistle_call_is_answered_or_lapses_before_the_whistle_or_its_deadline(seeded):
    assert WhistleCall.objects.exists()
    assert whistle_calls_out_of_time() == []
