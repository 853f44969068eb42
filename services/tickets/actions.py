"""The ticket life as one table of action rows: the service, the pages, the API and the admin all read it.

reported → accepted → dispatched → in_progress → resolved → closed, plus returned (sent back by the assignee with a
reason), rejected (not our matter, with a referral) and reopened (the resident is not satisfied). Each row carries
its page form, its parameters, whether it needs a reason, its own effect on the ticket and whom it tells.
"""

from __future__ import annotations

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from accounts.models import Role
from accounts.selectors import liaisons_of
from cobuilding.models import AgreementStatus
from core.statemachine import Action, Machine, rows
from services import forms
from services.models import Ticket
from services.models import TicketStatus as S

# Who may hold a ticket: accepting makes the acceptor its owner (首问负责), and a dispatch hands it to a person of
# one of these roles. Officials read, integrators file through the API, unit liaisons act for their unit: none of
# them ever holds a ticket as a person, so "my tickets" means nothing to them.
TICKET_HOLDER_ROLES = frozenset({Role.STAFF, Role.GRID_WORKER})


def can_own_tickets(user) -> bool:
    """Whether a ticket can ever be this user's own (owner or assignee): the queue offers "mine" only then."""
    return bool(getattr(user, "is_authenticated", False)) and user.role in TICKET_HOLDER_ROLES


def awaiting_rating(ticket, now=None) -> bool:
    """Resolved and still inside its rating window: only the resident's rating (or the window lapsing) closes it."""
    now = now or timezone.now()
    expires = ticket.rating_token_expires_at
    return ticket.status == S.RESOLVED and ticket.rated_at is None and expires is not None and expires > now


# --- effects: each sets the action's own fields and returns the data its timeline event records ---------------


def _accept(ticket: Ticket, *, by, now, params) -> dict:
    ticket.owner = by  # 首问负责: the one who accepts owns it until it is closed
    ticket.accepted_at = now
    return {}


def _check_dispatch_target(ticket: Ticket, *, assignee_user, assignee_unit, assignee_department: str, by) -> None:
    if sum(bool(x) for x in (assignee_user, assignee_unit, assignee_department)) != 1:
        raise ValidationError({"assignee": _("请选择一个承办人、承办单位或承办部门。")})
    if assignee_user is not None:
        visible = type(assignee_user).objects.visible_to(by).filter(pk=assignee_user.pk).exists()
        if not visible or not assignee_user.is_active or assignee_user.role not in TICKET_HOLDER_ROLES:
            raise ValidationError({"assignee_user": _("承办人不存在或不在您的管辖范围内。")})
    if assignee_unit is not None:
        bound = assignee_unit.agreements.filter(community=ticket.community_id, status=AgreementStatus.ACTIVE)
        if not bound.exists():
            raise ValidationError({"assignee_unit": _("该单位与本社区没有生效的共驻共建协议，不能派单。")})


def _dispatch(ticket: Ticket, *, by, now, params) -> dict:
    user, unit = params.get("assignee_user"), params.get("assignee_unit")
    department = params.get("assignee_department") or ""
    _check_dispatch_target(ticket, assignee_user=user, assignee_unit=unit, assignee_department=department, by=by)
    ticket.assignee_user, ticket.assignee_unit, ticket.assignee_department = user, unit, department
    return {
        "assignee_user": ticket.assignee_user_id,
        "assignee_unit": ticket.assignee_unit_id,
        "assignee_department": ticket.assignee_department,
    }


def _resolve(ticket: Ticket, *, by, now, params) -> dict:
    ticket.resolved_at = now
    ticket.rating_token_expires_at = now + datetime.timedelta(days=settings.TICKET_RATING_DAYS)
    return {}


def _close(ticket: Ticket, *, by, now, params) -> dict:
    # Closing waits for the resident's rating: until the link lapses, only the rating closes a ticket.
    if awaiting_rating(ticket, now):
        raise ValidationError(_("工单正在等待居民评价，评价后自动关闭。"), code="illegal_transition")
    ticket.closed_at = now
    return {}


def _reject(ticket: Ticket, *, by, now, params) -> dict:
    return {"referral": params.get("referral") or ""}


def _reopen(ticket: Ticket, *, by, now, params) -> dict:
    ticket.resolved_at = None
    ticket.closed_at = None
    return {}


# --- notices: whom an action tells, and what --------------------------------------------------------------------


def _tell_assignee(ticket: Ticket, action: Action):
    recipients = [ticket.assignee_user] if ticket.assignee_user else []
    if ticket.assignee_unit:
        recipients += list(liaisons_of([ticket.assignee_unit]))
    return recipients, _("派单 %(ref)s：请及时办理") % {"ref": ticket.reference}


def _tell_owner(ticket: Ticket, action: Action):
    recipients = [ticket.owner] if ticket.owner else []
    return recipients, _("工单 %(ref)s 已%(what)s") % {"ref": ticket.reference, "what": action.label}


TICKETS = Machine(
    name="ticket",
    states=S,
    illegal_message=lambda machine, action, state: _("工单当前为“%(status)s”，不能执行该操作。")
    % {"status": S(state).label},
    rows=rows(
        Action(
            "accept", frozenset({S.REPORTED}), S.ACCEPTED, _lazy("受理"), form=forms.ActionForm, effect=_accept,
            admin_label=_lazy("受理所选工单（首问负责）"),
        ),
        Action(
            "dispatch", frozenset({S.ACCEPTED, S.RETURNED, S.REOPENED, S.DISPATCHED}), S.DISPATCHED, _lazy("派单"),
            params=("assignee_user", "assignee_unit", "assignee_department"), form=forms.DispatchForm,
            effect=_dispatch, notice=_tell_assignee,
        ),
        Action("start", frozenset({S.DISPATCHED, S.ACCEPTED, S.REOPENED}), S.IN_PROGRESS, _lazy("开始办理"),
               form=forms.ActionForm),
        # The resolution note is what the resident reads beside the rating link: the page and the API both need it.
        Action(
            "resolve", frozenset({S.IN_PROGRESS}), S.RESOLVED, _lazy("办结"), needs_reason=True,
            reason_prompt=_lazy("请填写办理结果。"), form=forms.ResolveForm, effect=_resolve,
            notice=_tell_owner,
        ),
        Action(
            "close", frozenset({S.RESOLVED}), S.CLOSED, _lazy("关闭"), form=forms.ActionForm, effect=_close,
            admin_label=_lazy("关闭所选已办结工单"),
        ),
        Action(
            "return", frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.RETURNED, _lazy("退回"), needs_reason=True,
            form=forms.ReasonForm, notice=_tell_owner,
        ),
        Action(
            "reject", frozenset({S.REPORTED, S.ACCEPTED}), S.REJECTED, _lazy("不予受理"), needs_reason=True,
            params=("referral",), form=forms.RejectForm, effect=_reject,
        ),
        Action(
            "reopen", frozenset({S.RESOLVED, S.CLOSED}), S.REOPENED, _lazy("重启"), needs_reason=True,
            form=forms.ReasonForm, effect=_reopen,
        ),
    ),
)  # fmt: skip


def actions_for(ticket, now=None) -> list[str]:
    """The actions this ticket offers now: the table's, less closing while the resident may still rate it."""
    actions = TICKETS.allowed(ticket.status)
    if awaiting_rating(ticket, now):
        actions = [action for action in actions if action != "close"]
    return actions
