"""Mediation writes: opening a case, its parties, its sessions, its outcome and the return visit.

Every function takes keyword arguments and the acting user, runs in one transaction, and checks that the result lies
inside that user's scope; views, the API and the admin call these and hold no rule of their own.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Role, User
from core.scoping import CHANGE, ensure_in_scope
from grids.models import Visit
from mediation.models import MIN_PARTIES, CaseStatus, DisputeCase, DisputeParty, MediationSession
from mediation.transitions import START, action_named, check_allowed
from notifications.services import notify
from residents.models import Resident

MEDIATOR_ROLES = frozenset({Role.STAFF, Role.GRID_WORKER})


@dataclass(frozen=True)
class PartyDetails:
    """One party as a form or the API names them: a resident, or a name and a phone."""

    resident: Resident | None = None
    name: str = ""
    phone: str = ""


def _lock(case: DisputeCase) -> DisputeCase:
    locked: DisputeCase = DisputeCase.objects.select_for_update().get(pk=case.pk)
    return locked


def _check_mediator(case: DisputeCase) -> None:
    """The mediator works the case: a staff member or grid worker who may change it (its grid or community)."""
    mediator = case.mediator
    allowed = mediator.is_active and (mediator.is_superuser or mediator.role in MEDIATOR_ROLES)
    if not allowed or not DisputeCase.objects.visible_to(mediator, CHANGE).filter(pk=case.pk).exists():
        raise ValidationError(
            {"mediator": ValidationError(_("调解员须是负责该社区或网格的工作人员。"), code="mediator")}
        )


def _add_party(case: DisputeCase, details: PartyDetails, by: User) -> DisputeParty:
    if details.resident is not None and not Resident.objects.visible_to(by).filter(pk=details.resident.pk).exists():
        raise ValidationError({"resident": ValidationError(_("所选居民不存在。"), code="resident_scope")})
    party = DisputeParty(case=case, resident=details.resident, name=details.name.strip(), phone=details.phone.strip())
    party.full_clean()
    party.save()
    return party


def _notify_mediator(case: DisputeCase, by: User) -> None:
    if case.mediator_id == by.pk:
        return
    notify(
        recipients=[case.mediator],
        kind="mediation_assigned",
        title=_("调解案件 %(ref)s 请您调解") % {"ref": case.reference},
        dedup_key=f"mediation:{case.pk}:mediator:{case.mediator_id}",
        link=reverse("mediation:detail", args=[case.pk]),
        body=case.summary[:200],
    )


@transaction.atomic
def case_open(*, case: DisputeCase, parties: Sequence[PartyDetails], by: User) -> DisputeCase:
    """Register a dispute with its parties (at least two) and tell the mediator when someone else opened it.

    `case` is an unsaved DisputeCase with its place, kind, summary, mediator and sources set (a form's or a
    serializer's instance); the reference, status and who opened it are set here.
    """
    if len(parties) < MIN_PARTIES:
        raise ValidationError({"parties": ValidationError(_("调解至少需要两方当事人。"), code="too_few_parties")})
    case.status, case.opened_by, case.concluded_at = CaseStatus.OPEN, by, None
    # To the minute, as the pages' date-time inputs read: a session entered "now" is never before the opening.
    case.opened_at = (case.opened_at or timezone.now()).replace(second=0, microsecond=0)
    case.full_clean(exclude=["reference"])
    case.save()
    case.assign_reference()
    case.save(update_fields=["reference"])
    ensure_in_scope(case, by, CHANGE)
    _check_mediator(case)
    for details in parties:
        _add_party(case, details, by)
    _notify_mediator(case, by)
    return case


@transaction.atomic
def party_add(*, case: DisputeCase, details: PartyDetails, by: User) -> DisputeParty:
    ensure_in_scope(case, by, CHANGE)
    case = _lock(case)
    if case.is_concluded:
        raise ValidationError(_("案件已结案，不能再添加当事人。"), code="concluded")
    return _add_party(case, details, by)


@transaction.atomic
def session_add(
    *, case: DisputeCase, held_at: datetime.datetime, notes: str, place: str = "", attendees: str = "", by: User
) -> MediationSession:
    """Record one sitting; the first moves an open case into mediation."""
    ensure_in_scope(case, by, CHANGE)
    case = _lock(case)
    if case.is_concluded:
        raise ValidationError(_("案件已结案，不能再记录调解。"), code="concluded")
    if case.parties.count() < MIN_PARTIES:
        raise ValidationError(_("调解至少需要两方当事人，请先补充当事人。"), code="too_few_parties")
    session = MediationSession(
        case=case, held_at=held_at, notes=notes, place=place, attendees=attendees, recorded_by=by
    )
    session.full_clean()
    session.save()
    if case.status in START.sources:
        case.status = START.target
        case.save(update_fields=["status"])
    return session


@transaction.atomic
def case_conclude(
    *, case: DisputeCase, action: str, text: str, concluded_at: datetime.datetime | None = None, by: User
) -> DisputeCase:
    """Record the outcome: an agreement (its text), a referral (to whom) or a failure (why); it ends the case."""
    ensure_in_scope(case, by, CHANGE)
    case = _lock(case)
    step = action_named(action)
    check_allowed(step, case.status)
    if not step.needs_reason:
        raise ValidationError(_("未知的操作。"), code="unknown_action")
    concluded_at = concluded_at or timezone.now()
    last_session = case.sessions.order_by("-held_at").values_list("held_at", flat=True).first()
    if last_session is not None and concluded_at < last_session:
        raise ValidationError(
            {"concluded_at": ValidationError(_("结案时间不能早于最后一次调解。"), code="before_session")}
        )
    case.status, case.concluded_at = step.target, concluded_at
    setattr(case, step.reason_field, text.strip())
    case.full_clean()
    case.save(update_fields=["status", "concluded_at", step.reason_field])
    return case


@transaction.atomic
def case_record_follow_up(
    *, case: DisputeCase, follow_up_on: datetime.date, notes: str, visit: Visit | None = None, by: User
) -> DisputeCase:
    """The return visit after the outcome (回访): when, what was found, and the visit record if one was made."""
    ensure_in_scope(case, by, CHANGE)
    case = _lock(case)
    if visit is not None and visit.household.building.grid_id != case.grid_id:
        raise ValidationError({"follow_up_visit": ValidationError(_("回访记录须在本网格内。"), code="visit_grid")})
    case.follow_up_on, case.follow_up_notes, case.follow_up_visit = follow_up_on, notes.strip(), visit
    case.full_clean()
    case.save(update_fields=["follow_up_on", "follow_up_notes", "follow_up_visit"])
    return case
