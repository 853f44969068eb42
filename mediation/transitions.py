"""The life of a dispute case as one table of actions, read by the services, the pages and the API alike.

Each row: the action's name, the states it may start from, the state it leads to, the outcome field it needs, and
its label. Adding a session moves an open case into mediation ("start"); an agreement or a failure needs at least
one session (they start only from "in mediation"); a referral may come before any session (the dispute was never
the community's to mediate). Kept in this one module so it can move onto a shared state-machine table later.
"""

from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from mediation.models import CaseStatus


@dataclass(frozen=True)
class CaseAction:
    name: str
    sources: frozenset[str]
    target: str
    needs: str  # the outcome field the action must be given ("" for none)
    label: Promise


START = CaseAction("start", frozenset({CaseStatus.OPEN}), CaseStatus.IN_MEDIATION, "", _lazy("开始调解"))
AGREE = CaseAction(
    "agree", frozenset({CaseStatus.IN_MEDIATION}), CaseStatus.AGREED, "agreement_text", _lazy("达成调解协议")
)
REFER = CaseAction(
    "refer", frozenset({CaseStatus.OPEN, CaseStatus.IN_MEDIATION}), CaseStatus.REFERRED, "referred_to", _lazy("移交")
)
FAIL = CaseAction("fail", frozenset({CaseStatus.IN_MEDIATION}), CaseStatus.FAILED, "failure_reason", _lazy("调解未成"))

ACTIONS = {action.name: action for action in (START, AGREE, REFER, FAIL)}
# The actions that end a case with an outcome (what the "record the outcome" form offers).
OUTCOME_ACTIONS = (AGREE, REFER, FAIL)


def action_named(name: str) -> CaseAction:
    try:
        return ACTIONS[name]
    except KeyError:
        raise ValidationError(_("未知的操作。"), code="unknown_action") from None


def check_allowed(action: CaseAction, status: str) -> None:
    if status not in action.sources:
        raise ValidationError(
            _("案件当前为“%(status)s”，不能%(action)s。")
            % {"status": CaseStatus(status).label, "action": action.label},
            code="illegal_transition",
        )


def outcome_actions_for(status: str) -> list[CaseAction]:
    return [action for action in OUTCOME_ACTIONS if status in action.sources]
