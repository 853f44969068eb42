"""The one shape of a state machine: a table of action rows that the service, the pages, the API and the admin read.

Each domain app keeps its machine as a module of rows (services/tickets/actions.py, services/community/actions.py,
cobuilding/actions.py). A row says everything a caller needs to know about one action: where it may start, where
it leads, whether it must carry a reason, which parameters it takes, its label, what it does besides changing the
state (effect) and whom it tells (notice). Nothing re-describes an action elsewhere, so a page and the API cannot
drift apart: a test walks every table and checks the page forms, the API methods and the admin against it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

if TYPE_CHECKING:
    from django.contrib.auth.base_user import AbstractBaseUser


@dataclass(frozen=True)
class Action:
    """One row of a state machine.

    `params` are the input fields the action takes besides its reason (the page form and the API serializer carry
    exactly these); `reason_field` names the field holding the reason, required when `needs_reason`. `by_system`
    rows are taken only by a scheduled task (no page, API method or admin action offers them). `admin_label`, when
    set, offers the action in the admin as a bulk action on the selected rows (only actions needing no input).
    `effect(obj, *, by, now, params) -> dict` sets the action's own fields and returns the event data to record;
    `notice(obj, action) -> (recipients, title) | None` says whom to tell once the move is saved.
    """

    name: str
    sources: frozenset[str]
    target: str
    label: Any
    needs_reason: bool = False
    reason_field: str = "note"
    reason_prompt: Any = None
    params: tuple[str, ...] = ()
    form: Any = None
    by_system: bool = False
    admin_label: Any = None
    effect: Callable[..., dict[str, Any]] | None = None  # the event data: JSON values of the table's own choosing
    notice: Callable[..., tuple[Sequence[AbstractBaseUser], str] | None] | None = None

    @property
    def required_fields(self) -> frozenset[str]:
        """The input a caller must supply: the reason when the row needs one (parameters are checked by services)."""
        return frozenset({self.reason_field}) if self.needs_reason else frozenset()


def _default_illegal(machine: Machine, action: Action, state: str) -> str:
    return _("当前为“%(status)s”，不能执行该操作。") % {"status": machine.states(state).label}


@dataclass(frozen=True)
class Machine:
    """The rows of one state machine, in the order pages offer them."""

    name: str
    states: Any  # the model's TextChoices of states
    rows: tuple[Action, ...]
    illegal_message: Callable[[Machine, Action, str], str] = field(default=_default_illegal)

    def __iter__(self) -> Iterator[Action]:
        return iter(self.rows)

    def __contains__(self, name: object) -> bool:
        return any(row.name == name for row in self.rows)

    def __getitem__(self, name: str) -> Action:
        for row in self.rows:
            if row.name == name:
                return row
        raise KeyError(name)

    def names(self) -> list[str]:
        return [row.name for row in self.rows]

    def user_actions(self) -> list[Action]:
        """The rows a person takes (pages, API, admin); system rows are a scheduled task's."""
        return [row for row in self.rows if not row.by_system]

    def allowed(self, state: str) -> list[str]:
        """The actions a person may take next from `state` (pages show only these; the API lists them)."""
        return [row.name for row in self.user_actions() if state in row.sources]

    def moves(self) -> dict[str, set[str]]:
        """State -> the states it may change to (self-loops, which change nothing, left out)."""
        graph: dict[str, set[str]] = {state: set() for state in self.states.values}
        for row in self.rows:
            for source in row.sources:
                if source != row.target:
                    graph[source].add(row.target)
        return graph

    def target_of(self, name: str, state: str) -> str:
        """The state action `name` leads to from `state`, or an 'illegal_transition' error (the API answers 409)."""
        if name not in self:
            raise ValidationError(_("未知操作：%(action)s") % {"action": name}, code="unknown_action")
        row = self[name]
        if state not in row.sources:
            raise ValidationError(self.illegal_message(self, row, state), code="illegal_transition")
        return row.target

    def check_reason(self, name: str, values: Mapping[str, object]) -> None:
        """Refuse an action that needs a reason when none is given (every caller, page or API, meets this check)."""
        row = self[name]
        if row.needs_reason and not str(values.get(row.reason_field) or "").strip():
            raise ValidationError({row.reason_field: row.reason_prompt or _("请填写原因。")})


def rows(*actions: Action) -> tuple[Action, ...]:
    """The rows of a machine; a name used twice is a mistake caught at import."""
    names = [a.name for a in actions]
    if len(names) != len(set(names)):
        raise ValueError(f"duplicate action names in {names}")
    return tuple(actions)


def all_rows(machines: Iterable[Machine]) -> list[tuple[Machine, Action]]:
    return [(machine, row) for machine in machines for row in machine]
