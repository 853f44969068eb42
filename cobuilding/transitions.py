"""State machines of co-building, each one table used by every caller (services, API, admin, pages, tasks)."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from cobuilding.models import AgreementStatus, CallStatus, ItemStatus

# agreement: from-state -> states it may move to
AGREEMENT_TRANSITIONS = {
    AgreementStatus.DRAFT: {AgreementStatus.ACTIVE, AgreementStatus.TERMINATED},
    AgreementStatus.ACTIVE: {AgreementStatus.EXPIRED, AgreementStatus.TERMINATED},
    AgreementStatus.EXPIRED: set(),
    AgreementStatus.TERMINATED: set(),
}

AGENDA_ITEM_TRANSITIONS = {
    ItemStatus.OPEN: {ItemStatus.CLAIMED, ItemStatus.CLOSED},
    ItemStatus.CLAIMED: {ItemStatus.IN_PROGRESS, ItemStatus.CLOSED},
    ItemStatus.IN_PROGRESS: {ItemStatus.CLOSED},
    ItemStatus.CLOSED: set(),
}

WHISTLE_CALL_TRANSITIONS = {
    CallStatus.PENDING: {CallStatus.ACKNOWLEDGED, CallStatus.RESPONDED, CallStatus.OVERDUE},
    CallStatus.ACKNOWLEDGED: {CallStatus.RESPONDED, CallStatus.OVERDUE},
    # A late answer is still an answer: it is recorded, and scored as late.
    CallStatus.OVERDUE: {CallStatus.RESPONDED},
    CallStatus.RESPONDED: set(),
}


class IllegalTransition(ValidationError):
    """Raised for a move the table does not allow; the API answers it with 409."""


def check_transition(table: dict, current: str, target: str, *, labels) -> None:
    if target not in table.get(current, set()):
        raise IllegalTransition(
            _("不能从“%(current)s”变为“%(target)s”。")
            % {"current": labels(current).label, "target": labels(target).label},
            code="illegal_transition",
        )
