"""Co-building reminders: who is told, what counts as due, and that nobody is told twice."""

import datetime

import pytest
from django.core import mail
from django.utils import timezone

from accounts.models import Role
from cobuilding import reminders, tasks
from cobuilding.models import AgreementStatus, CallStatus, CoBuildingAgreement, JointMeeting
from notifications.models import Notification
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.cobuilding.factories import (
    AgreementFactory,
    CommitmentItemFactory,
    JointMeetingFactory,
    ResidentUnitFactory,
    WhistleCallFactory,
    WhistleFactory,
    liaison_for,
)
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def _locmem_email(settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def _cast(unit=None):
    """A unit reporting to a community under a street, with a liaison, community staff and street staff."""
    unit = unit or ResidentUnitFactory()
    community = OrganizationFactory(level=Level.COMMUNITY, parent=unit.registered_with)
    community.refresh_from_db()
    return {
        "unit": unit,
        "community": community,
        "liaison": liaison_for(unit, email="liaison@example.cn"),
        "staff": UserFactory(role=Role.STAFF, scope=community, email="staff@example.cn"),
        "street_staff": UserFactory(role=Role.STAFF, scope=unit.registered_with, email=""),
        "elsewhere": UserFactory(role=Role.STAFF, scope=OrganizationFactory(level=Level.COMMUNITY)),
    }


def _told(kind: str) -> set[int]:
    return set(Notification.objects.filter(kind=kind).values_list("recipient_id", flat=True))


def _expiring(cast, days: int) -> CoBuildingAgreement:
    return AgreementFactory(
        unit=cast["unit"], community=cast["community"], starts_on=TODAY - 300 * DAY, ends_on=TODAY + days * DAY,
        signed_on=TODAY - 300 * DAY,
    )  # fmt: skip


# --- agreements -------------------------------------------------------------------------------------------------


def test_an_expiring_agreement_produces_exactly_one_reminder_across_two_daily_runs(django_capture_on_commit_callbacks):
    cast = _cast()
    agreement = _expiring(cast, 20)
    with django_capture_on_commit_callbacks(execute=True):
        first = tasks.daily_cobuilding_reminders.apply().get()  # in-process, Redis or not
    with django_capture_on_commit_callbacks(execute=True):
        again = reminders.send_daily_reminders(today=TODAY)
    with django_capture_on_commit_callbacks(execute=True):
        tomorrow = reminders.send_daily_reminders(today=TODAY + DAY)
    assert first["agreements"] == 3 and again["agreements"] == 0 and tomorrow["agreements"] == 0
    notes = Notification.objects.filter(dedup_key=f"agreement-expiring:{agreement.pk}")
    assert sorted(notes.values_list("recipient_id", flat=True)) == sorted(
        [cast["liaison"].pk, cast["staff"].pk, cast["street_staff"].pk]
    )
    assert cast["elsewhere"].pk not in _told("agreement_expiring")
    # Email once, to the two recipients who have an address.
    assert len(mail.outbox) == 1
    assert sorted(mail.outbox[0].to) == ["liaison@example.cn", "staff@example.cn"]
    assert agreement.title in mail.outbox[0].subject
    assert notes.filter(emailed_at__isnull=False).count() == 2


def test_agreements_ending_later_already_ended_or_not_active_are_not_reminded():
    cast = _cast()
    _expiring(cast, 31)
    AgreementFactory(unit=cast["unit"], community=cast["community"], status=AgreementStatus.DRAFT, signed_on=None,
                     starts_on=TODAY, ends_on=TODAY + 10 * DAY)  # fmt: skip
    AgreementFactory(unit=cast["unit"], community=cast["community"], status=AgreementStatus.EXPIRED,
                     starts_on=TODAY - 400 * DAY, ends_on=TODAY - DAY, signed_on=TODAY - 400 * DAY)  # fmt: skip
    assert reminders.remind_expiring_agreements(today=TODAY) == 0
    _expiring(cast, 30)
    assert reminders.remind_expiring_agreements(today=TODAY) == 3


def test_the_daily_job_expires_ended_agreements_before_reminding():
    cast = _cast()
    ended = AgreementFactory(unit=cast["unit"], community=cast["community"], starts_on=TODAY - 400 * DAY,
                             ends_on=TODAY - DAY, signed_on=TODAY - 400 * DAY)  # fmt: skip
    result = tasks.daily_cobuilding_reminders()
    ended.refresh_from_db()
    assert ended.status == AgreementStatus.EXPIRED and result["expired"] == 1
    assert tasks.daily_cobuilding_reminders()["expired"] == 0


# --- commitments ------------------------------------------------------------------------------------------------


def test_commitments_due_within_seven_days_and_unverified_are_reminded_once():
    cast = _cast()
    agreement = AgreementFactory(unit=cast["unit"], community=cast["community"])
    due = CommitmentItemFactory(agreement=agreement, due_on=TODAY + 7 * DAY)
    CommitmentItemFactory(agreement=agreement, due_on=TODAY + 8 * DAY)
    CommitmentItemFactory(agreement=agreement, due_on=TODAY + 2 * DAY, verified_at=timezone.now())
    CommitmentItemFactory(agreement=agreement, due_on=TODAY - DAY)  # overdue: a different matter
    assert reminders.remind_due_commitments(today=TODAY) == 3
    keys = set(Notification.objects.filter(kind="commitment_due").values_list("dedup_key", flat=True))
    assert keys == {f"commitment-due:{due.pk}"}
    assert _told("commitment_due") == {cast["liaison"].pk, cast["staff"].pk, cast["street_staff"].pk}
    assert reminders.remind_due_commitments(today=TODAY) == 0
    # The next day only the item that has just come within seven days is new.
    assert reminders.remind_due_commitments(today=TODAY + DAY) == 3
    assert Notification.objects.filter(dedup_key=f"commitment-due:{due.pk}").count() == 3


def test_items_of_an_agreement_no_longer_active_are_not_reminded():
    item = CommitmentItemFactory(agreement=AgreementFactory(status=AgreementStatus.TERMINATED), due_on=TODAY + DAY)
    liaison_for(item.agreement.unit)
    assert reminders.remind_due_commitments(today=TODAY) == 0


# --- meetings ---------------------------------------------------------------------------------------------------


def test_a_meeting_tomorrow_reminds_attending_liaisons_and_staff_once():
    cast = _cast()
    absent = ResidentUnitFactory(registered_with=cast["unit"].registered_with)
    absent_liaison = liaison_for(absent)
    tomorrow_9am = timezone.make_aware(datetime.datetime.combine(TODAY + DAY, datetime.time(9)))
    meeting = JointMeetingFactory(community=cast["community"], held_at=tomorrow_9am, attending_units=[cast["unit"]])
    JointMeetingFactory(community=cast["community"], held_at=tomorrow_9am + DAY, attending_units=[absent])
    assert reminders.remind_meetings_tomorrow(today=TODAY) == 3
    assert reminders.remind_meetings_tomorrow(today=TODAY) == 0
    told = _told("meeting_tomorrow")
    assert told == {cast["liaison"].pk, cast["staff"].pk, cast["street_staff"].pk}
    assert absent_liaison.pk not in told
    assert JointMeeting.objects.get(pk=meeting.pk).reminded_at is not None


# --- whistles ---------------------------------------------------------------------------------------------------


def test_a_call_nearing_its_deadline_reminds_the_units_liaisons_once_per_deadline():
    cast = _cast()
    now = timezone.now()
    whistle = WhistleFactory(community=cast["community"])
    call = WhistleCallFactory(whistle=whistle, unit=cast["unit"], acknowledge_by=now + datetime.timedelta(hours=5),
                              respond_by=now + 3 * DAY)  # fmt: skip
    later = WhistleCallFactory(unit=ResidentUnitFactory(), acknowledge_by=now + 2 * DAY, respond_by=now + 5 * DAY)
    liaison_for(later.unit)
    assert reminders.remind_whistle_deadlines(now=now) == 1
    assert reminders.remind_whistle_deadlines(now=now + datetime.timedelta(minutes=15)) == 0
    assert _told("whistle_deadline") == {cast["liaison"].pk}
    # Acknowledged in time, it is reminded again when the response deadline draws near.
    call.status, call.acknowledged_at = CallStatus.ACKNOWLEDGED, now
    call.save()
    assert reminders.remind_whistle_deadlines(now=now + 2 * DAY + datetime.timedelta(hours=1)) == 1
    keys = Notification.objects.filter(recipient=cast["liaison"], kind="whistle_deadline").values_list("dedup_key")
    assert sorted(k for (k,) in keys) == [
        f"whistle-deadline:{call.pk}:acknowledge",
        f"whistle-deadline:{call.pk}:respond",
    ]


def test_answered_and_overdue_calls_are_not_reminded():
    cast = _cast()
    soon = timezone.now() + datetime.timedelta(hours=3)
    for status in (CallStatus.RESPONDED, CallStatus.OVERDUE):
        WhistleCallFactory(unit=cast["unit"], status=status, acknowledge_by=soon, respond_by=soon)
    assert reminders.remind_whistle_deadlines() == 0


def test_the_frequent_sweep_marks_overdue_then_warns_of_near_deadlines():
    cast = _cast()
    now = timezone.now()
    whistle = WhistleFactory(community=cast["community"])
    WhistleCallFactory(whistle=whistle, unit=cast["unit"], acknowledge_by=now - DAY, respond_by=now + DAY)
    result = tasks.sweep_whistle_calls()
    assert result == {"overdue": 1, "reminded": 0}
    assert _told("whistle_overdue") == {cast["staff"].pk, cast["street_staff"].pk}
    assert tasks.sweep_whistle_calls() == {"overdue": 0, "reminded": 0}


# --- set-based ----------------------------------------------------------------------------------------------------


def test_reminder_queries_do_not_grow_with_the_number_of_agreements_beyond_notifys_own(django_assert_num_queries):
    cast = _cast()
    for days in (3, 10, 20):
        _expiring(cast, days)
    # 1 agreements + 1 staff + 1 liaisons, then notify's 2 (existing + insert) per agreement.
    with django_assert_num_queries(3 + 2 * 3):
        assert reminders.remind_expiring_agreements(today=TODAY) == 9
