"""The life of a dispute case as one table of action rows (core.statemachine), read by the services, the pages and
the API alike.

Adding a session moves an open case into mediation ("start"); an agreement or a failure needs at least one session
(they start only from "in mediation"); a referral may come before any session (the dispute was never the
community's to mediate). An outcome row's reason is the case field it fills (the agreement's text, to whom it was
referred, why it failed).
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.statemachine import Action, Machine
from mediation.models import CaseStatus as S


def _illegal(machine: Machine, action: Action, state: str) -> str:
    return _("案件当前为“%(status)s”，不能%(action)s。") % {"status": S(state).label, "action": action.label}


START = Action("start", frozenset({S.OPEN}), S.IN_MEDIATION, _lazy("开始调解"))
AGREE = Action(
    "agree", frozenset({S.IN_MEDIATION}), S.AGREED, _lazy("达成调解协议"), needs_reason=True,
    reason_field="agreement_text",
)  # fmt: skip
REFER = Action(
    "refer", frozenset({S.OPEN, S.IN_MEDIATION}), S.REFERRED, _lazy("移交"), needs_reason=True,
    reason_field="referred_to",
)  # fmt: skip
FAIL = Action(
    "fail", frozenset({S.IN_MEDIATION}), S.FAILED, _lazy("调解未成"), needs_reason=True, reason_field="failure_reason"
)

CASES = Machine(name="dispute case", states=S, rows=(START, AGREE, REFER, FAIL), illegal_message=_illegal)
ACTIONS = {action.name: action for action in CASES}
# The actions that end a case with an outcome (what the "record the outcome" form offers).
OUTCOME_ACTIONS = tuple(action for action in CASES if action.needs_reason)


def action_named(name: str) -> Action:
    try:
        return CASES[name]
    except KeyError:
        raise ValidationError(_("未知的操作。"), code="unknown_action") from None


def check_allowed(action: Action, status: str) -> None:
    CASES.target_of(action.name, status)  # raises the 'illegal_transition' error (the API answers 409)


def outcome_actions_for(status: str) -> list[Action]:
    return [action for action in OUTCOME_ACTIONS if status in action.sources]
