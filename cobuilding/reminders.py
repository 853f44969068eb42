"""Co-building reminders: what is about to fall due, told to whoever must act on it, once.

The daily beat job calls `send_daily_reminders`; the frequent one calls `remind_whistle_deadlines`. Each reminder
goes through `notifications.services.notify` with a dedup key made of the reminder kind and the object's id (never
the date), so a job that runs twice on one day, or on two days in a row while the same thing is still due, tells
nobody twice. Recipients are fetched set-wise (one query for the staff of all communities concerned, one for the
liaisons of all units concerned); the only per-object queries are notify's own.
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from accounts.selectors import staff_responsible_for_each
from cobuilding.models import (
    AgreementStatus,
    CallStatus,
    CoBuildingAgreement,
    CommitmentItem,
    JointMeeting,
    WhistleCall,
)
from notifications.services import notify

AGREEMENT_EXPIRY_DAYS = 30
COMMITMENT_DUE_DAYS = 7
WHISTLE_DEADLINE_HOURS = 24


@dataclass(frozen=True)
class _Reminder:
    recipients: list
    kind: str
    title: str
    dedup_key: str
    link: str
    body: str = ""


class _Recipients:
    """Community staff and unit liaisons for a batch of objects, loaded with two queries whatever the batch size."""

    def __init__(self, *, communities: Iterable, unit_ids: Iterable[int]) -> None:
        communities = {c.pk: c for c in communities}
        self._staff = staff_responsible_for_each(communities.values())
        self._liaisons: dict[int, list[User]] = defaultdict(list)
        unit_ids = set(unit_ids)
        if unit_ids:
            for user in User.objects.filter(is_active=True, role=Role.UNIT_LIAISON, unit_id__in=unit_ids):
                self._liaisons[user.unit_id].append(user)

    def staff(self, community_id: int) -> list[User]:
        return self._staff.get(community_id, [])

    def liaisons(self, unit_ids: Iterable[int]) -> list[User]:
        return [user for unit_id in unit_ids for user in self._liaisons.get(unit_id, [])]


def _send(reminders: Iterable[_Reminder]) -> int:
    return sum(
        notify(recipients=r.recipients, kind=r.kind, title=r.title, dedup_key=r.dedup_key, link=r.link, body=r.body)
        for r in reminders
    )


# --- agreements -------------------------------------------------------------------------------------------------


def remind_expiring_agreements(*, today: datetime.date | None = None) -> int:
    """Active agreements ending within 30 days: the community's staff and the unit's liaisons, once per agreement."""
    today = today or timezone.localdate()
    agreements = list(
        CoBuildingAgreement.objects.filter(
            status=AgreementStatus.ACTIVE,
            ends_on__gte=today,
            ends_on__lte=today + datetime.timedelta(days=AGREEMENT_EXPIRY_DAYS),
        ).select_related("unit", "community")
    )
    people = _Recipients(communities=[a.community for a in agreements], unit_ids=[a.unit_id for a in agreements])
    return _send(
        _Reminder(
            recipients=people.staff(a.community_id) + people.liaisons([a.unit_id]),
            kind="agreement_expiring",
            title=_("共建协议即将到期：%(title)s（%(date)s）") % {"title": a.title, "date": a.ends_on},
            dedup_key=f"agreement-expiring:{a.pk}",
            link=f"/unit/agreements/{a.pk}/",
            body=_("%(unit)s 与 %(community)s 的共建协议将于 %(date)s 到期，请及时开展年度评估并商议续签。")
            % {"unit": a.unit, "community": a.community, "date": a.ends_on},
        )
        for a in agreements
    )


# --- commitment items -------------------------------------------------------------------------------------------


def remind_due_commitments(*, today: datetime.date | None = None) -> int:
    """Unverified items of active agreements due within 7 days: the unit's liaisons and the community's staff."""
    today = today or timezone.localdate()
    items = list(
        CommitmentItem.objects.filter(
            verified_at__isnull=True,
            agreement__status=AgreementStatus.ACTIVE,
            due_on__gte=today,
            due_on__lte=today + datetime.timedelta(days=COMMITMENT_DUE_DAYS),
        ).select_related("agreement__unit", "agreement__community")
    )
    agreements = [item.agreement for item in items]
    people = _Recipients(communities=[a.community for a in agreements], unit_ids=[a.unit_id for a in agreements])
    return _send(
        _Reminder(
            recipients=people.liaisons([i.agreement.unit_id]) + people.staff(i.agreement.community_id),
            kind="commitment_due",
            title=_("承诺事项即将到期：%(title)s（%(date)s）") % {"title": i.title, "date": i.due_on},
            dedup_key=f"commitment-due:{i.pk}",
            link=f"/unit/agreements/{i.agreement_id}/",
            body=_("%(unit)s 承诺的“%(title)s”将于 %(date)s 到期，尚未经社区核实。")
            % {"unit": i.agreement.unit, "title": i.title, "date": i.due_on},
        )
        for i in items
    )


# --- joint meetings ---------------------------------------------------------------------------------------------


def remind_meetings_tomorrow(*, today: datetime.date | None = None) -> int:
    """Joint meetings held tomorrow (local time): the attending units' liaisons and the community's staff."""
    today = today or timezone.localdate()
    start = timezone.make_aware(datetime.datetime.combine(today + datetime.timedelta(days=1), datetime.time.min))
    meetings = list(
        JointMeeting.objects.filter(held_at__gte=start, held_at__lt=start + datetime.timedelta(days=1))
        .select_related("community")
        .prefetch_related("attending_units")
    )
    units = {m.pk: [u.pk for u in m.attending_units.all()] for m in meetings}
    people = _Recipients(communities=[m.community for m in meetings], unit_ids=[u for us in units.values() for u in us])
    sent = _send(
        _Reminder(
            recipients=people.liaisons(units[m.pk]) + people.staff(m.community_id),
            kind="meeting_tomorrow",
            title=_("明天召开联席会议：%(community)s") % {"community": m.community},
            dedup_key=f"meeting-tomorrow:{m.pk}",
            link=f"/unit/meetings/{m.pk}/",
            body=_("时间：%(time)s；地点：%(place)s。")
            % {"time": f"{timezone.localtime(m.held_at):%Y-%m-%d %H:%M}", "place": m.place},
        )
        for m in meetings
    )
    JointMeeting.objects.filter(pk__in=[m.pk for m in meetings], reminded_at__isnull=True).update(
        reminded_at=timezone.now()
    )
    return sent


# --- whistle calls ----------------------------------------------------------------------------------------------


def remind_whistle_deadlines(*, now: datetime.datetime | None = None) -> int:
    """Unanswered calls whose next deadline falls within 24 hours: the called unit's liaisons, once per deadline.

    A pending call is reminded of its acknowledgement deadline, an acknowledged one of its response deadline; a
    call reminded to acknowledge is reminded again, later, to respond.
    """
    now = now or timezone.now()
    soon = now + datetime.timedelta(hours=WHISTLE_DEADLINE_HOURS)
    calls = list(
        WhistleCall.objects.unanswered()
        .filter(
            Q(status=CallStatus.PENDING, acknowledge_by__gte=now, acknowledge_by__lte=soon)
            | Q(respond_by__gte=now, respond_by__lte=soon)
        )
        .select_related("whistle", "unit")
    )
    people = _Recipients(communities=[], unit_ids=[c.unit_id for c in calls])
    sent = _send(_whistle_reminder(call, people, now, soon) for call in calls)
    WhistleCall.objects.filter(pk__in=[c.pk for c in calls]).update(reminded_at=now)
    return sent


def _whistle_reminder(call: WhistleCall, people: _Recipients, now, soon) -> _Reminder:
    acknowledging = call.status == CallStatus.PENDING and now <= call.acknowledge_by <= soon
    step, deadline = ("acknowledge", call.acknowledge_by) if acknowledging else ("respond", call.respond_by)
    label = _("报到") if acknowledging else _("答复")
    return _Reminder(
        recipients=people.liaisons([call.unit_id]),
        kind="whistle_deadline",
        title=_("吹哨事项%(step)s期限临近：%(title)s") % {"step": label, "title": call.whistle.title},
        dedup_key=f"whistle-deadline:{call.pk}:{step}",
        link=f"/unit/whistles/{call.whistle_id}/",
        body=_("请在 %(deadline)s 前完成%(step)s。")
        % {"deadline": f"{timezone.localtime(deadline):%Y-%m-%d %H:%M}", "step": label},
    )


# --- the daily job ----------------------------------------------------------------------------------------------


def send_daily_reminders(*, today: datetime.date | None = None, now: datetime.datetime | None = None) -> dict:
    """Every daily reminder; returns how many notifications each kind created (0 everywhere on a second run)."""
    today = today or timezone.localdate()
    return {
        "agreements": remind_expiring_agreements(today=today),
        "commitments": remind_due_commitments(today=today),
        "meetings": remind_meetings_tomorrow(today=today),
        "whistles": remind_whistle_deadlines(now=now),
    }
