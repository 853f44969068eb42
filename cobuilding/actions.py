"""Co-building's state machines, each one table of action rows (core.statemachine) that every caller reads.

The services (cobuilding.services) check each move against its row, the API writes one `action_<name>` method per
row a person takes, the pages offer a form only where the row allows it, and `by_system` rows are the scheduled
sweeps' (an agreement expiring, a whistle call falling overdue). A move a table forbids is an 'illegal_transition'
(the API's 409).
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from cobuilding import forms
from cobuilding.models import AgreementStatus as A
from cobuilding.models import CallStatus as C
from cobuilding.models import ItemStatus as I
from core.statemachine import Action, Machine, rows


def _illegal_move(machine: Machine, action: Action, state: str) -> str:
    labels = machine.states
    return _("不能从“%(current)s”变为“%(target)s”。") % {
        "current": labels(state).label,
        "target": labels(action.target).label,
    }


AGREEMENTS = Machine(
    name="agreement",
    states=A,
    illegal_message=_illegal_move,
    rows=rows(
        Action("activate", frozenset({A.DRAFT}), A.ACTIVE, _lazy("生效"), params=("signed_on",)),
        Action("terminate", frozenset({A.DRAFT, A.ACTIVE}), A.TERMINATED, _lazy("终止"), params=("reason",)),
        Action("expire", frozenset({A.ACTIVE}), A.EXPIRED, _lazy("到期"), by_system=True),
    ),
)

AGENDA_ITEMS = Machine(
    name="agenda_item",
    states=I,
    illegal_message=_illegal_move,
    rows=rows(
        Action("claim", frozenset({I.OPEN}), I.CLAIMED, _lazy("认领"), params=("unit", "due_on"),
               form=forms.ItemClaimForm),
        # The first report moves a claimed item to 办理中; later reports keep it there.
        Action(
            "progress", frozenset({I.CLAIMED, I.IN_PROGRESS}), I.IN_PROGRESS, _lazy("填报进展"), needs_reason=True,
            reason_prompt=_lazy("请填写进展说明。"), form=forms.ItemProgressForm,
        ),
        Action("close", frozenset({I.OPEN, I.CLAIMED, I.IN_PROGRESS}), I.CLOSED, _lazy("办结")),
    ),
)  # fmt: skip

WHISTLE_CALLS = Machine(
    name="whistle_call",
    states=C,
    illegal_message=_illegal_move,
    rows=rows(
        Action("acknowledge", frozenset({C.PENDING}), C.ACKNOWLEDGED, _lazy("报到")),
        # A late answer is still an answer: it is recorded, and scored as late.
        Action(
            "respond", frozenset({C.PENDING, C.ACKNOWLEDGED, C.OVERDUE}), C.RESPONDED, _lazy("答复"),
            needs_reason=True, reason_field="response", reason_prompt=_lazy("请填写答复内容。"),
            form=forms.CallRespondForm,
        ),
        Action("overdue", frozenset({C.PENDING, C.ACKNOWLEDGED}), C.OVERDUE, _lazy("超时"), by_system=True),
    ),
)  # fmt: skip

MACHINES = (AGREEMENTS, AGENDA_ITEMS, WHISTLE_CALLS)
