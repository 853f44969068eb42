"""Co-building writes: every state change goes through here, in one transaction, with the acting user.

Views, serializers, admin actions and tasks call these functions; none of them holds a business rule itself.
"""

import datetime
from collections.abc import Iterable
from decimal import Decimal
from typing import Any, TypeVar

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import liaisons_of, staff_responsible_for
from cobuilding.actions import AGENDA_ITEMS, AGREEMENTS, WHISTLE_CALLS
from cobuilding.models import (
    AgendaItem,
    AgendaItemProgress,
    AgreementStatus,
    CoBuildingAgreement,
    CommitmentItem,
    CommitmentProgress,
    CommunityNeed,
    JointMeeting,
    MemberFeedback,
    MemberReport,
    NeedStatus,
    ResidentUnit,
    Whistle,
    WhistleCall,
)
from core.scoping import ensure_in_scope
from notifications.services import notify
from orgs.models import Organization

_M = TypeVar("_M", bound=Model)


def _require_community_side(by: User) -> None:
    """Verification, carry-over and whistles are the community's acts, never a unit's."""
    if not (by.is_superuser or by.role in (Role.STAFF, Role.INTEGRATOR)):
        raise PermissionDenied(_("只有社区工作人员可以进行此操作。"))


def _lock(instance: _M) -> _M:
    return type(instance)._default_manager.select_for_update().get(pk=instance.pk)


# --- agreements -----------------------------------------------------------------------------------------------


@transaction.atomic
def agreement_activate(*, agreement: CoBuildingAgreement, signed_on: datetime.date, by: User) -> CoBuildingAgreement:
    _require_community_side(by)
    agreement = _lock(agreement)
    agreement.status = AGREEMENTS.target_of("activate", agreement.status)
    agreement.signed_on = signed_on
    agreement.full_clean()
    agreement.save(update_fields=["status", "signed_on"])
    return agreement


@transaction.atomic
def agreement_terminate(*, agreement: CoBuildingAgreement, by: User, reason: str = "") -> CoBuildingAgreement:
    _require_community_side(by)
    agreement = _lock(agreement)
    agreement.status = AGREEMENTS.target_of("terminate", agreement.status)
    if reason:
        agreement.notes = f"{agreement.notes}\n{_('终止原因')}: {reason}".strip()
    agreement.save(update_fields=["status", "notes"])
    return agreement


def expire_agreements(*, today: datetime.date | None = None) -> int:
    """Active agreements whose period has ended become expired: one UPDATE, idempotent."""
    today = today or timezone.localdate()
    expire = AGREEMENTS["expire"]
    return CoBuildingAgreement.objects.filter(status__in=expire.sources, ends_on__lt=today).update(
        status=expire.target, updated_at=timezone.now()  # update() skips auto_now: the dashboards read it
    )


# --- commitments ----------------------------------------------------------------------------------------------


@transaction.atomic
def commitment_progress_add(
    *, item: CommitmentItem, amount: Decimal, by: User, note: str = "", reported_on: datetime.date | None = None
) -> CommitmentProgress:
    if item.agreement.status != AgreementStatus.ACTIVE:
        raise ValidationError({"item": _("只有生效中的协议才能填报进展。")})
    entry = CommitmentProgress(
        item=item, amount=amount, note=note, reported_on=reported_on or timezone.localdate(), reported_by=by
    )
    entry.full_clean()
    entry.save()
    ensure_in_scope(entry, by)
    return entry


@transaction.atomic
def commitment_verify(*, item: CommitmentItem, by: User) -> CommitmentItem:
    """The community confirms the commitment was fulfilled; only then does it count in the fulfilled share."""
    _require_community_side(by)
    item = _lock(item)
    if item.verified_at is not None:
        raise ValidationError({"item": _("该承诺事项已核实。")})
    item.verified_at = timezone.now()
    item.verified_by = by
    item.save(update_fields=["verified_at", "verified_by"])
    return item


@transaction.atomic
def need_match(
    *,
    need: CommunityNeed,
    agreement: CoBuildingAgreement,
    target: Decimal,
    due_on: datetime.date,
    by: User,
    measure: str = "count",
) -> CommitmentItem:
    """Match a published community need to a unit: it becomes a commitment item of that unit's agreement."""
    _require_community_side(by)
    need = _lock(need)
    if need.status != NeedStatus.OPEN:
        raise ValidationError({"need": _("该需求已对接或已关闭。")})
    if agreement.community_id != need.community_id:
        raise ValidationError({"agreement": _("协议须与发布需求的社区签订。")})
    if agreement.status != AgreementStatus.ACTIVE:
        raise ValidationError({"agreement": _("只能对接到生效中的协议。")})
    item = CommitmentItem(
        agreement=agreement, title=need.title, kind=need.kind, target=target, measure=measure, due_on=due_on,
        source_need=need,
    )  # fmt: skip
    item.full_clean()
    item.save()
    need.status = NeedStatus.MATCHED
    need.save(update_fields=["status"])
    ensure_in_scope(item, by)
    return item


# --- joint meetings -------------------------------------------------------------------------------------------


@transaction.atomic
def meeting_create(
    *, community: Organization, held_at: datetime.datetime, place: str, units: Iterable[ResidentUnit], by: User,
    minutes: str = "", items: Iterable[dict[str, Any]] = (),
) -> JointMeeting:  # fmt: skip
    """Record a joint meeting; every item the community's earlier meetings left unclosed is carried into it."""
    _require_community_side(by)
    meeting = JointMeeting(community=community, held_at=held_at, place=place, minutes=minutes)
    meeting.full_clean()
    meeting.save()
    meeting.attending_units.set(units)
    for fields in items:
        item = AgendaItem(meeting=meeting, **fields)
        item.full_clean(exclude=["meeting"])
        item.save()
    carry_over_unclosed_items(meeting=meeting)
    ensure_in_scope(meeting, by)
    return meeting


def carry_over_unclosed_items(*, meeting: JointMeeting) -> int:
    """Copy each unclosed, not yet carried item of the community's earlier meetings into `meeting`."""
    earlier = (
        AgendaItem.objects.unclosed()
        .filter(meeting__community_id=meeting.community_id, meeting__held_at__lt=meeting.held_at)
        .filter(carried_to__isnull=True)
        # Lock only the items: PostgreSQL refuses FOR UPDATE on the nullable side of the carried_to outer join.
        .select_for_update(of=("self",))
    )
    copies = [
        AgendaItem(
            meeting=meeting,
            title=old.title,
            description=old.description,
            status=old.status,
            claimed_by_id=old.claimed_by_id,
            claimed_at=old.claimed_at,
            due_on=old.due_on,
            carried_from=old,
        )  # fmt: skip
        for old in earlier
    ]
    AgendaItem.objects.bulk_create(copies)
    return len(copies)


@transaction.atomic
def item_claim(*, item: AgendaItem, unit: ResidentUnit, due_on: datetime.date, by: User) -> AgendaItem:
    """接招认领: a unit attending the meeting takes the item on, with a due date."""
    item = _lock(item)
    if by.role == Role.UNIT_LIAISON and by.unit_id != unit.pk:
        raise PermissionDenied(_("只能以本单位名义认领。"))
    if not item.meeting.attending_units.filter(pk=unit.pk).exists():
        raise ValidationError({"unit": _("只有参会单位可以认领该议题。")})
    if due_on < timezone.localdate():
        raise ValidationError({"due_on": _("承诺完成日期不能早于今天。")})
    item.status = AGENDA_ITEMS.target_of("claim", item.status)
    item.claimed_by = unit
    item.claimed_at = timezone.now()
    item.due_on = due_on
    item.save(update_fields=["status", "claimed_by", "claimed_at", "due_on"])
    return item


@transaction.atomic
def item_progress_add(*, item: AgendaItem, note: str, by: User) -> AgendaItemProgress:
    item = _lock(item)
    AGENDA_ITEMS.check_reason("progress", {"note": note})
    if by.role == Role.UNIT_LIAISON and by.unit_id != item.claimed_by_id:
        raise PermissionDenied(_("只有认领单位可以填报进展。"))
    if "progress" not in AGENDA_ITEMS.allowed(item.status):
        raise ValidationError({"item": _("只有已认领、未办结的议题可以填报进展。")})
    target = AGENDA_ITEMS.target_of("progress", item.status)
    if item.status != target:
        item.status = target
        item.save(update_fields=["status"])
    return AgendaItemProgress.objects.create(item=item, note=note.strip(), reported_by=by)


@transaction.atomic
def item_close(*, item: AgendaItem, by: User) -> AgendaItem:
    _require_community_side(by)
    item = _lock(item)
    item.status = AGENDA_ITEMS.target_of("close", item.status)
    item.closed_at = timezone.now()
    item.save(update_fields=["status", "closed_at"])
    return item


# --- whistles -------------------------------------------------------------------------------------------------

DEFAULT_ACKNOWLEDGE_HOURS = 24
DEFAULT_RESPOND_HOURS = 72


@transaction.atomic
def whistle_blow(
    *, community: Organization, title: str, description: str, units: Iterable[ResidentUnit], by: User,
    acknowledge_hours: int = DEFAULT_ACKNOWLEDGE_HOURS, respond_hours: int = DEFAULT_RESPOND_HOURS,
    ticket_reference: str = "",
) -> Whistle:  # fmt: skip
    """社区吹哨: call one or more units; each must acknowledge and respond before its deadlines."""
    _require_community_side(by)
    units = list(units)
    if not units:
        raise ValidationError({"units": _("请至少选择一个被叫单位。")})
    if not (0 < acknowledge_hours <= respond_hours):
        raise ValidationError({"respond_hours": _("答复时限须大于 0 且不短于报到时限。")})
    now = timezone.now()
    whistle = Whistle(
        community=community, title=title, description=description, blown_at=now, ticket_reference=ticket_reference
    )
    whistle.full_clean()
    whistle.save()
    WhistleCall.objects.bulk_create(
        WhistleCall(
            whistle=whistle,
            unit=unit,
            acknowledge_by=now + datetime.timedelta(hours=acknowledge_hours),
            respond_by=now + datetime.timedelta(hours=respond_hours),
        )  # fmt: skip
        for unit in units
    )
    ensure_in_scope(whistle, by)
    notify(
        recipients=liaisons_of(units), kind="whistle_blown", title=_("社区吹哨：%(title)s") % {"title": title},
        dedup_key=f"whistle-blown:{whistle.pk}", link=f"/unit/whistles/{whistle.pk}/", body=description,
    )  # fmt: skip
    return whistle


def _check_caller(call: WhistleCall, by: User) -> None:
    if by.role == Role.UNIT_LIAISON and by.unit_id != call.unit_id:
        raise PermissionDenied(_("只能答复本单位被叫的事项。"))


@transaction.atomic
def call_acknowledge(*, call: WhistleCall, by: User) -> WhistleCall:
    call = _lock(call)
    _check_caller(call, by)
    call.status = WHISTLE_CALLS.target_of("acknowledge", call.status)
    call.acknowledged_at = timezone.now()
    call.save(update_fields=["status", "acknowledged_at"])
    return call


@transaction.atomic
def call_respond(*, call: WhistleCall, response: str, by: User) -> WhistleCall:
    call = _lock(call)
    _check_caller(call, by)
    WHISTLE_CALLS.check_reason("respond", {"response": response})
    call.status = WHISTLE_CALLS.target_of("respond", call.status)
    now = timezone.now()
    call.acknowledged_at = call.acknowledged_at or now
    call.responded_at = now
    call.response = response.strip()
    call.save(update_fields=["status", "acknowledged_at", "responded_at", "response"])
    return call


def mark_overdue_calls(*, now: datetime.datetime | None = None) -> int:
    """Calls past a deadline become overdue (set-based; a second run finds nothing) and the community is told."""
    now = now or timezone.now()
    with transaction.atomic():
        overdue = list(
            WhistleCall.objects.past_deadline(now).select_for_update(skip_locked=True).select_related("whistle")
        )
        WhistleCall.objects.filter(pk__in=[c.pk for c in overdue]).update(
            status=WHISTLE_CALLS["overdue"].target, overdue_at=now, updated_at=now
        )
    for call in overdue:
        notify(
            recipients=staff_responsible_for(call.whistle.community), kind="whistle_overdue",
            title=_("吹哨响应超时：%(unit)s · %(title)s") % {"unit": call.unit, "title": call.whistle.title},
            dedup_key=f"whistle-overdue:{call.pk}", link=f"/admin/cobuilding/whistle/{call.whistle_id}/change/",
        )  # fmt: skip
    return len(overdue)


# --- in-service members ---------------------------------------------------------------------------------------


@transaction.atomic
def member_feedback_give(
    *, report: MemberReport, year: int, rating: str, by: User, comment: str = ""
) -> MemberFeedback:
    _require_community_side(by)
    feedback = MemberFeedback(report=report, year=year, rating=rating, comment=comment)
    feedback.full_clean()
    feedback.save()
    ensure_in_scope(feedback, by)
    return feedback
