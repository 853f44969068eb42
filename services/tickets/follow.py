"""The resident's follow link (/t/<token>/): a ticket's progress without login, and nothing about anyone.

The token is the ticket's id signed with the site's key under its own salt, so it cannot be guessed or derived from
the reference, needs no stored column, and stays valid for the ticket's whole life. The page reads only a safe
projection: the reference, the item, the status and, per step, its date and what happened. Staff names, notes,
assignees and the resident's own details are never read for it (notes are written for staff and may name people).
"""

import datetime
from dataclasses import dataclass

from django.core import signing
from django.utils.translation import gettext_lazy as _

from services.models import Ticket, TicketEvent, TicketStatus
from services.tickets.actions import TICKETS

FOLLOW_SALT = "services.tickets.follow"
TOKEN_MAX = 120  # far longer than any token this module signs: a longer one names nothing

# What a step means to the resident, for the timeline kinds that are not rows of the action table.
STEP_LABELS = {
    "reported": _("诉求已提交"),
    "rated": _("居民已评价"),
    "rated_dissatisfied": _("居民不满意，重新办理"),
    "closed_unrated": _("评价期满，自动关闭"),
}


@dataclass(frozen=True)
class PublicStep:
    at: datetime.datetime
    what: str
    status: str


def follow_token(ticket: Ticket) -> str:
    return signing.Signer(salt=FOLLOW_SALT).sign_object(ticket.pk)


def ticket_for_follow(token: str) -> Ticket | None:
    """The ticket a follow link names, or None for a forged, truncated or foreign token."""
    if not token or len(token) > TOKEN_MAX:
        return None
    try:
        pk = signing.Signer(salt=FOLLOW_SALT).unsign_object(token)
    except signing.BadSignature:
        return None
    if not isinstance(pk, int):
        return None
    return Ticket.objects.select_related("service_item").filter(pk=pk).first()


def _step_label(kind: str) -> str:
    if kind in STEP_LABELS:
        return str(STEP_LABELS[kind])
    return str(TICKETS[kind].label) if kind in TICKETS else ""


def public_timeline(ticket: Ticket) -> list[PublicStep]:
    """Each change of status: when, what happened (the action's label) and the status it reached; nothing else."""
    rows = (
        TicketEvent.objects.filter(ticket=ticket)
        .exclude(to_status="")
        .order_by("created_at", "id")
        .values_list("kind", "to_status", "created_at")
    )
    return [
        PublicStep(at=at, what=_step_label(kind), status=str(TicketStatus(to_status).label))
        for kind, to_status, at in rows
        if to_status in TicketStatus.values
    ]
