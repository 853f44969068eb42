"""The ticket life as one transition table: every caller (API, pages, admin, tasks, Open311) goes through it.

reported → accepted → dispatched → in_progress → resolved → closed, plus returned (sent back by the assignee with a
reason), rejected (not our matter, with a referral) and reopened (the resident is not satisfied).
"""

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from services.models import TicketStatus as S

# action -> (states it may start from, state it leads to)
TICKET_ACTIONS: dict[str, tuple[frozenset[str], str]] = {
    "accept": (frozenset({S.REPORTED}), S.ACCEPTED),
    "dispatch": (frozenset({S.ACCEPTED, S.RETURNED, S.REOPENED, S.DISPATCHED}), S.DISPATCHED),
    "start": (frozenset({S.DISPATCHED, S.ACCEPTED, S.REOPENED}), S.IN_PROGRESS),
    "resolve": (frozenset({S.IN_PROGRESS}), S.RESOLVED),
    "close": (frozenset({S.RESOLVED}), S.CLOSED),
    "return": (frozenset({S.DISPATCHED, S.IN_PROGRESS}), S.RETURNED),
    "reject": (frozenset({S.REPORTED, S.ACCEPTED}), S.REJECTED),
    "reopen": (frozenset({S.RESOLVED, S.CLOSED}), S.REOPENED),
}

# Actions that must carry a reason a later reader will need.
NEEDS_REASON = frozenset({"return", "reject", "reopen"})


def allowed_actions(status: str) -> list[str]:
    """The actions a ticket in `status` offers next (pages show only these)."""
    return [action for action, (sources, _target) in TICKET_ACTIONS.items() if status in sources]


def awaiting_rating(ticket, now=None) -> bool:
    """Resolved and still inside its rating window: only the resident's rating (or the window lapsing) closes it."""
    now = now or timezone.now()
    expires = ticket.rating_token_expires_at
    return ticket.status == S.RESOLVED and ticket.rated_at is None and expires is not None and expires > now


def actions_for(ticket, now=None) -> list[str]:
    """The actions this ticket offers now: the table's, less closing while the resident may still rate it."""
    actions = allowed_actions(ticket.status)
    if awaiting_rating(ticket, now):
        actions = [action for action in actions if action != "close"]
    return actions


def target_of(action: str, status: str) -> str:
    """The state `action` leads to from `status`, or an 'illegal_transition' error (the API answers 409)."""
    if action not in TICKET_ACTIONS:
        raise ValidationError(_("未知操作：%(action)s") % {"action": action}, code="unknown_action")
    sources, target = TICKET_ACTIONS[action]
    if status not in sources:
        raise ValidationError(
            _("工单当前为“%(status)s”，不能执行该操作。") % {"status": S(status).label},
            code="illegal_transition",
        )
    return target
