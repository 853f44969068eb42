"""Co-building services: the transition tables, agreement life, carry-over, claims, whistles and bad input."""

import contextlib
import datetime
import itertools
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from accounts.models import Role
from cobuilding import services
from cobuilding.actions import AGENDA_ITEMS, AGREEMENTS, WHISTLE_CALLS
from cobuilding.models import (
    AgendaItem,
    AgreementStatus,
    CallStatus,
    CoBuildingAgreement,
    CommitmentItem,
    ItemStatus,
    JointMeeting,
    WhistleCall,
)
from notifications.models import Notification
from orgs.rules import Level
from tests.accounts.factories import UserFactory
from tests.cobuilding.factories import (
    AgendaItemFactory,
    AgreementFactory,
    CommitmentItemFactory,
    JointMeetingFactory,
    MemberReportFactory,
    ResidentUnitFactory,
    WhistleCallFactory,
    WhistleFactory,
    liaison_for,
)
from tests.orgs.factories import OrganizationFactory

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
DAY = datetime.timedelta(days=1)


def staff_of(community):
    return UserFactory(role=Role.STAFF, scope=community)


@contextlib.contextmanager
def illegal_move():
    """A move the action table forbids: a ValidationError coded 'illegal_transition' (the API's 409)."""
    with pytest.raises(ValidationError) as error:
        yield error
    assert error.value.code == "illegal_transition"


# The state graph each action table draws: state -> the states it may change to.
AGREEMENT_MOVES = {
    AgreementStatus.DRAFT: {AgreementStatus.ACTIVE, AgreementStatus.TERMINATED},
    AgreementStatus.ACTIVE: {AgreementStatus.EXPIRED, AgreementStatus.TERMINATED},
    AgreementStatus.EXPIRED: set(),
    AgreementStatus.TERMINATED: set(),
}
AGENDA_ITEM_MOVES = {
    ItemStatus.OPEN: {ItemStatus.CLAIMED, ItemStatus.CLOSED},
    ItemStatus.CLAIMED: {ItemStatus.IN_PROGRESS, ItemStatus.CLOSED},
    ItemStatus.IN_PROGRESS: {ItemStatus.CLOSED},
    ItemStatus.CLOSED: set(),
}
WHISTLE_CALL_MOVES = {
    CallStatus.PENDING: {CallStatus.ACKNOWLEDGED, CallStatus.RESPONDED, CallStatus.OVERDUE},
    CallStatus.ACKNOWLEDGED: {CallStatus.RESPONDED, CallStatus.OVERDUE},
    CallStatus.OVERDUE: {CallStatus.RESPONDED},
    CallStatus.RESPONDED: set(),
}


# --- the action tables: every legal and illegal move ----------------------------------------------------------


@pytest.mark.parametrize(
    "machine,moves,labels",
    [
        (AGREEMENTS, AGREEMENT_MOVES, AgreementStatus),
        (AGENDA_ITEMS, AGENDA_ITEM_MOVES, ItemStatus),
        (WHISTLE_CALLS, WHISTLE_CALL_MOVES, CallStatus),
    ],
    ids=["agreement", "agenda_item", "whistle_call"],
)
def test_every_move_not_in_a_table_is_refused_and_every_move_in_it_allowed(machine, moves, labels):
    assert machine.moves() == moves, "the table's rows draw exactly the state graph"
    assert set(machine.moves()) == set(labels.values), "every state has a row"
    for row, current in itertools.product(machine, labels.values):
        if current in row.sources:
            assert machine.target_of(row.name, current) == row.target
        else:
            with pytest.raises(ValidationError) as error:
                machine.target_of(row.name, current)
            assert error.value.code == "illegal_transition"
            assert str(labels(current).label) in error.value.message


def test_terminal_states_have_no_way_out():
    assert AGREEMENTS.moves()[AgreementStatus.EXPIRED] == set()
    assert AGREEMENTS.moves()[AgreementStatus.TERMINATED] == set()
    assert AGENDA_ITEMS.moves()[ItemStatus.CLOSED] == set()
    assert WHISTLE_CALLS.moves()[CallStatus.RESPONDED] == set()
    assert AGREEMENTS.allowed(AgreementStatus.EXPIRED) == AGENDA_ITEMS.allowed(ItemStatus.CLOSED) == []


def test_a_draft_agreement_is_activated_then_terminated_through_the_services():
    agreement = AgreementFactory(status=AgreementStatus.DRAFT, signed_on=None)
    staff = staff_of(agreement.community)
    agreement = services.agreement_activate(agreement=agreement, signed_on=TODAY, by=staff)
    assert agreement.status == AgreementStatus.ACTIVE and agreement.signed_on == TODAY
    agreement = services.agreement_terminate(agreement=agreement, by=staff, reason="单位搬迁")
    assert agreement.status == AgreementStatus.TERMINATED and "单位搬迁" in agreement.notes
    with illegal_move():
        services.agreement_activate(agreement=agreement, signed_on=TODAY, by=staff)


def test_an_expired_agreement_cannot_be_terminated_or_reactivated():
    agreement = AgreementFactory(status=AgreementStatus.EXPIRED)
    staff = staff_of(agreement.community)
    with illegal_move():
        services.agreement_terminate(agreement=agreement, by=staff)
    with illegal_move():
        services.agreement_activate(agreement=agreement, signed_on=TODAY, by=staff)
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRED


def test_a_closed_agenda_item_cannot_be_claimed_or_closed_again():
    unit = ResidentUnitFactory()
    meeting = JointMeetingFactory(attending_units=[unit])
    item = AgendaItemFactory(meeting=meeting)
    staff = staff_of(meeting.community)
    services.item_close(item=item, by=staff)
    with illegal_move():
        services.item_close(item=item, by=staff)
    with illegal_move():
        services.item_claim(item=item, unit=unit, due_on=TODAY + DAY, by=staff)


def test_a_claimed_item_moves_to_in_progress_on_its_first_progress_report_then_closes():
    unit = ResidentUnitFactory()
    item = AgendaItemFactory(meeting=JointMeetingFactory(attending_units=[unit]))
    liaison = liaison_for(unit)
    services.item_claim(item=item, unit=unit, due_on=TODAY + 10 * DAY, by=liaison)
    with illegal_move():  # claimed → claimed
        services.item_claim(item=item, unit=unit, due_on=TODAY + 10 * DAY, by=liaison)
    services.item_progress_add(item=item, note="已联系施工队", by=liaison)
    item.refresh_from_db()
    assert item.status == ItemStatus.IN_PROGRESS
    services.item_close(item=item, by=staff_of(item.meeting.community))
    item.refresh_from_db()
    assert item.status == ItemStatus.CLOSED and item.closed_at is not None


def test_a_responded_call_cannot_be_acknowledged_or_answered_again():
    call = WhistleCallFactory()
    liaison = liaison_for(call.unit)
    services.call_acknowledge(call=call, by=liaison)
    with illegal_move():  # acknowledged → acknowledged
        services.call_acknowledge(call=call, by=liaison)
    services.call_respond(call=call, response="已安排疏通", by=liaison)
    with illegal_move():
        services.call_acknowledge(call=call, by=liaison)
    with illegal_move():
        services.call_respond(call=call, response="再答一次", by=liaison)


def test_an_overdue_call_may_still_be_answered_late():
    call = WhistleCallFactory(status=CallStatus.OVERDUE)
    call = services.call_respond(call=call, response="迟到的答复", by=liaison_for(call.unit))
    assert call.status == CallStatus.RESPONDED and call.responded_at is not None


# --- agreement status over time -------------------------------------------------------------------------------


def test_an_active_agreement_expires_the_day_after_it_ends_and_only_once():
    agreement = AgreementFactory(starts_on=TODAY - 400 * DAY, ends_on=TODAY - 10 * DAY, signed_on=TODAY - 400 * DAY)
    assert services.expire_agreements(today=agreement.ends_on) == 0  # still in force on its last day
    assert services.expire_agreements(today=agreement.ends_on + DAY) == 1
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.EXPIRED
    assert services.expire_agreements(today=agreement.ends_on + 2 * DAY) == 0


def test_draft_and_terminated_agreements_never_expire():
    draft = AgreementFactory(status=AgreementStatus.DRAFT, signed_on=None, ends_on=TODAY - 5 * DAY,
                             starts_on=TODAY - 100 * DAY)  # fmt: skip
    ended = AgreementFactory(status=AgreementStatus.TERMINATED, ends_on=TODAY - 5 * DAY, starts_on=TODAY - 100 * DAY,
                             signed_on=TODAY - 100 * DAY)  # fmt: skip
    assert services.expire_agreements(today=TODAY) == 0
    assert set(CoBuildingAgreement.objects.values_list("status", flat=True)) == {
        AgreementStatus.DRAFT,
        AgreementStatus.TERMINATED,
    }
    assert {draft.pk, ended.pk} == set(CoBuildingAgreement.objects.values_list("pk", flat=True))


def test_progress_on_an_expired_agreement_is_refused():
    item = CommitmentItemFactory(agreement=AgreementFactory(status=AgreementStatus.EXPIRED))
    with pytest.raises(ValidationError) as error:
        services.commitment_progress_add(item=item, amount=Decimal("1"), by=liaison_for(item.agreement.unit))
    assert "item" in error.value.message_dict


# --- carry-over -----------------------------------------------------------------------------------------------


def _meeting(community, units, staff, days_ago: int, titles=()) -> JointMeeting:
    return services.meeting_create(
        community=community, held_at=timezone.now() - days_ago * DAY, place="党群服务中心", units=units, by=staff,
        items=[{"title": title} for title in titles],
    )  # fmt: skip


def test_unclosed_items_are_carried_once_to_the_next_meeting_and_closed_ones_stay_behind():
    unit = ResidentUnitFactory()
    community = OrganizationFactory(level=Level.COMMUNITY, parent=unit.registered_with)
    staff = staff_of(community)
    AgreementFactory(unit=unit, community=community)  # the unit reports to the community
    first = _meeting(community, [unit], staff, 90, ["停车难", "路灯不亮", "垃圾分类"])
    parking, lamps, waste = first.items.order_by("id")
    services.item_close(item=lamps, by=staff)
    second = _meeting(community, [unit], staff, 0)
    carried = {item.carried_from_id: item for item in second.items.all()}
    assert set(carried) == {parking.pk, waste.pk}
    assert all(item.is_carried_over for item in carried.values())
    assert carried[parking.pk].title == "停车难"
    third = _meeting(community, [unit], staff, -30)
    # Each unclosed item travels once: the third meeting takes the copies, not the originals again.
    assert {i.carried_from_id for i in third.items.all()} == {carried[parking.pk].pk, carried[waste.pk].pk}
    assert AgendaItem.objects.filter(carried_from=parking).count() == 1


def test_carry_over_keeps_the_claim_and_stays_within_the_community():
    unit = ResidentUnitFactory()
    community = OrganizationFactory(level=Level.COMMUNITY, parent=unit.registered_with)
    other = OrganizationFactory(level=Level.COMMUNITY, parent=unit.registered_with)
    staff = staff_of(unit.registered_with)
    AgreementFactory(unit=unit, community=community)
    AgreementFactory(unit=unit, community=other)
    first = _meeting(community, [unit], staff, 60, ["雨污管网"])
    _meeting(other, [unit], staff, 50, ["外单位议题"])
    services.item_claim(item=first.items.get(), unit=unit, due_on=TODAY + 30 * DAY, by=liaison_for(unit))
    second = _meeting(community, [unit], staff, 0)
    (copy,) = second.items.all()
    assert copy.title == "雨污管网" and copy.status == ItemStatus.CLAIMED and copy.claimed_by == unit
    assert copy.due_on == TODAY + 30 * DAY


def test_done_when_a_recorded_meeting_with_three_items_one_claimed_carries_the_unclosed_ones():
    unit, bystander = ResidentUnitFactory(), ResidentUnitFactory()
    community = OrganizationFactory(level=Level.COMMUNITY, parent=unit.registered_with)
    staff = staff_of(community)
    AgreementFactory(unit=unit, community=community)
    AgreementFactory(unit=bystander, community=community)
    meeting = _meeting(community, [unit, bystander], staff, 90, ["老旧小区改造", "停车位规划", "四点半课堂"])
    old, parking, classes = meeting.items.order_by("id")
    services.item_claim(item=parking, unit=unit, due_on=TODAY + 60 * DAY, by=liaison_for(unit))
    services.item_close(item=classes, by=staff)
    nxt = _meeting(community, [unit, bystander], staff, 0)
    shown = {item.title: item for item in nxt.items.with_related()}
    assert set(shown) == {"老旧小区改造", "停车位规划"}
    assert shown["停车位规划"].carried_from == parking and shown["停车位规划"].claimed_by == unit
    assert shown["老旧小区改造"].carried_from == old and shown["老旧小区改造"].status == ItemStatus.OPEN


# --- who may claim, verify, activate and blow ---------------------------------------------------------------------


def test_a_unit_outside_the_meetings_attendees_cannot_claim():
    attendee, outsider = ResidentUnitFactory(), ResidentUnitFactory()
    item = AgendaItemFactory(meeting=JointMeetingFactory(attending_units=[attendee]))
    with pytest.raises(ValidationError) as error:
        services.item_claim(item=item, unit=outsider, due_on=TODAY + DAY, by=liaison_for(outsider))
    assert "unit" in error.value.message_dict
    item.refresh_from_db()
    assert item.status == ItemStatus.OPEN and item.claimed_by is None


def test_a_liaison_cannot_claim_in_another_units_name():
    mine, theirs = ResidentUnitFactory(), ResidentUnitFactory()
    item = AgendaItemFactory(meeting=JointMeetingFactory(attending_units=[mine, theirs]))
    with pytest.raises(PermissionDenied):
        services.item_claim(item=item, unit=theirs, due_on=TODAY + DAY, by=liaison_for(mine))
    assert AgendaItem.objects.get(pk=item.pk).claimed_by is None


def test_a_claim_due_in_the_past_is_refused_on_its_field():
    unit = ResidentUnitFactory()
    item = AgendaItemFactory(meeting=JointMeetingFactory(attending_units=[unit]))
    with pytest.raises(ValidationError) as error:
        services.item_claim(item=item, unit=unit, due_on=TODAY - DAY, by=liaison_for(unit))
    assert "due_on" in error.value.message_dict


def test_a_unit_liaison_cannot_verify_activate_close_blow_or_give_feedback():
    agreement = AgreementFactory(status=AgreementStatus.DRAFT, signed_on=None)
    item = CommitmentItemFactory(agreement=AgreementFactory(unit=agreement.unit))
    liaison = liaison_for(agreement.unit)
    agenda = AgendaItemFactory(meeting=JointMeetingFactory(attending_units=[agreement.unit]))
    report = MemberReportFactory(community=agreement.community)
    refused = [
        lambda: services.commitment_verify(item=item, by=liaison),
        lambda: services.agreement_activate(agreement=agreement, signed_on=TODAY, by=liaison),
        lambda: services.agreement_terminate(agreement=agreement, by=liaison),
        lambda: services.item_close(item=agenda, by=liaison),
        lambda: services.whistle_blow(
            community=agreement.community, title="t", description="d", units=[agreement.unit], by=liaison
        ),  # fmt: skip
        lambda: services.member_feedback_give(report=report, year=TODAY.year, rating="good", by=liaison),
    ]
    for call in refused:
        with pytest.raises(PermissionDenied):
            call()
    item.refresh_from_db()
    agreement.refresh_from_db()
    assert item.verified_at is None and agreement.status == AgreementStatus.DRAFT


def test_a_liaison_cannot_answer_another_units_call():
    call = WhistleCallFactory()
    with pytest.raises(PermissionDenied):
        services.call_respond(call=call, response="越权答复", by=liaison_for(ResidentUnitFactory()))
    assert WhistleCall.objects.get(pk=call.pk).status == CallStatus.PENDING


def test_staff_verification_counts_once():
    item = CommitmentItemFactory()
    staff = staff_of(item.agreement.community)
    services.commitment_verify(item=item, by=staff)
    assert CommitmentItem.objects.get(pk=item.pk).is_fulfilled
    with pytest.raises(ValidationError):
        services.commitment_verify(item=item, by=staff)


# --- whistles ---------------------------------------------------------------------------------------------------


def test_blowing_a_whistle_calls_each_unit_with_deadlines_and_tells_their_liaisons():
    units = [ResidentUnitFactory(), ResidentUnitFactory()]
    community = OrganizationFactory(level=Level.COMMUNITY, parent=units[0].registered_with)
    liaisons = [liaison_for(unit) for unit in units]
    whistle = services.whistle_blow(community=community, title="积水", description="雨后积水", units=units,
                                    by=UserFactory(role=Role.STAFF, scope=None, is_superuser=True))  # fmt: skip
    calls = list(whistle.calls.all())
    assert len(calls) == 2 and all(c.acknowledge_by < c.respond_by for c in calls)
    assert set(Notification.objects.filter(kind="whistle_blown").values_list("recipient", flat=True)) == {
        u.pk for u in liaisons
    }


def test_a_whistle_with_no_units_or_a_response_window_shorter_than_acknowledgement_is_refused():
    community = OrganizationFactory(level=Level.COMMUNITY)
    staff = staff_of(community)
    with pytest.raises(ValidationError) as error:
        services.whistle_blow(community=community, title="t", description="d", units=[], by=staff)
    assert "units" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.whistle_blow(community=community, title="t", description="d", units=[ResidentUnitFactory()],
                              by=staff, acknowledge_hours=48, respond_hours=24)  # fmt: skip
    assert "respond_hours" in error.value.message_dict


def test_overdue_calls_are_marked_once_and_the_communitys_staff_told_once():
    community = OrganizationFactory(level=Level.COMMUNITY)
    staff, street_staff = staff_of(community), staff_of(OrganizationFactory(level=Level.COMMUNITY))
    now = timezone.now()
    whistle = WhistleFactory(community=community)
    late = WhistleCallFactory(whistle=whistle, acknowledge_by=now - DAY, respond_by=now + DAY)
    on_time = WhistleCallFactory(whistle=whistle, status=CallStatus.ACKNOWLEDGED, acknowledge_by=now - DAY,
                                 respond_by=now + DAY)  # fmt: skip
    answered = WhistleCallFactory(whistle=whistle, status=CallStatus.RESPONDED, acknowledge_by=now - 3 * DAY,
                                  respond_by=now - 2 * DAY)  # fmt: skip
    assert services.mark_overdue_calls(now=now) == 1
    assert services.mark_overdue_calls(now=now + datetime.timedelta(minutes=15)) == 0
    statuses = dict(WhistleCall.objects.values_list("pk", "status"))
    assert statuses == {late.pk: CallStatus.OVERDUE, on_time.pk: CallStatus.ACKNOWLEDGED,
                        answered.pk: CallStatus.RESPONDED}  # fmt: skip
    told = Notification.objects.filter(kind="whistle_overdue")
    assert list(told.values_list("recipient", flat=True)) == [staff.pk]
    assert street_staff.pk not in told.values_list("recipient", flat=True)


# --- bad input, per field -------------------------------------------------------------------------------------


def test_an_agreement_ending_before_it_starts_is_refused_on_ends_on():
    agreement = AgreementFactory.build(
        unit=ResidentUnitFactory(), community=OrganizationFactory(level=Level.COMMUNITY),
        starts_on=TODAY, ends_on=TODAY - DAY,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        agreement.full_clean()
    assert "ends_on" in error.value.message_dict
    assert "结束日期不能早于开始日期" in error.value.message_dict["ends_on"][0]


def test_an_agreement_signed_in_the_future_is_refused_on_signed_on():
    agreement = AgreementFactory(status=AgreementStatus.DRAFT, signed_on=None)
    with pytest.raises(ValidationError) as error:
        services.agreement_activate(agreement=agreement, signed_on=TODAY + DAY, by=staff_of(agreement.community))
    assert set(error.value.message_dict) == {"signed_on"}
    agreement.refresh_from_db()
    assert agreement.status == AgreementStatus.DRAFT


@pytest.mark.parametrize("target", [Decimal("-3"), Decimal("0")])
def test_a_commitment_with_a_negative_or_zero_target_is_refused_on_target(target):
    item = CommitmentItemFactory.build(agreement=AgreementFactory(), target=target)
    with pytest.raises(ValidationError) as error:
        item.full_clean()
    assert "target" in error.value.message_dict


def test_a_matched_need_with_a_negative_target_creates_nothing():
    from tests.cobuilding.factories import CommunityNeedFactory

    agreement = AgreementFactory()
    need = CommunityNeedFactory(community=agreement.community)
    with pytest.raises(ValidationError) as error:
        services.need_match(need=need, agreement=agreement, target=Decimal("-1"), due_on=TODAY + DAY,
                            by=staff_of(agreement.community))  # fmt: skip
    assert "target" in error.value.message_dict
    assert not CommitmentItem.objects.exists()


@pytest.mark.parametrize("amount,field", [(Decimal("-2"), "amount"), (Decimal("1"), "reported_on")])
def test_negative_progress_or_progress_dated_in_the_future_is_refused_on_its_field(amount, field):
    item = CommitmentItemFactory()
    reported_on = TODAY + DAY if field == "reported_on" else TODAY
    with pytest.raises(ValidationError) as error:
        services.commitment_progress_add(item=item, amount=amount, reported_on=reported_on,
                                         by=liaison_for(item.agreement.unit))  # fmt: skip
    assert set(error.value.message_dict) == {field}
    assert not item.progress_entries.exists()


def test_member_reported_in_the_future_is_refused_on_reported_on():
    report = MemberReportFactory.build(
        member=MemberReportFactory().member, community=OrganizationFactory(level=Level.COMMUNITY),
        reported_on=TODAY + DAY,
    )  # fmt: skip
    with pytest.raises(ValidationError) as error:
        report.full_clean(validate_constraints=False)
    assert "reported_on" in error.value.message_dict


def test_empty_progress_note_and_empty_response_are_refused_on_their_fields():
    unit = ResidentUnitFactory()
    item = AgendaItemFactory(meeting=JointMeetingFactory(attending_units=[unit]))
    liaison = liaison_for(unit)
    services.item_claim(item=item, unit=unit, due_on=TODAY + DAY, by=liaison)
    with pytest.raises(ValidationError) as error:
        services.item_progress_add(item=item, note="  ", by=liaison)
    assert "note" in error.value.message_dict
    call = WhistleCallFactory(unit=unit)
    with pytest.raises(ValidationError) as error:
        services.call_respond(call=call, response="", by=liaison)
    assert "response" in error.value.message_dict
