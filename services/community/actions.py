"""The community half's action tables: the micro-wish life, and the point-order moves over the ticket table.

Micro-wishes: posted → claimed → fulfilled → confirmed, or withdrawn while still posted or claimed. The service
(services.community.services), the API's actions and `allowed_actions`, and the admin (which offers none: claims
and fulfilment need a claimer and a photo) all read WISHES; a move the table forbids is an 'illegal_transition'
(the API's 409).

A point order is a ticket: its moves are rows of the ticket table (services.tickets.actions.TICKETS) under the
names the orders API uses (下单 dispatch, 接单 take, done); ORDER_MOVES says which ticket row each one takes.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy as _lazy

from core.statemachine import Action, Machine, rows
from services.models import WishStatus as W


def _illegal_wish_move(machine: Machine, action: Action, state: str) -> str:
    if action.name == "claim" and state != W.WITHDRAWN:
        return _("该心愿已被认领。")
    return _("心愿当前为“%(status)s”，不能执行该操作。") % {"status": W(state).label}


WISHES = Machine(
    name="wish",
    states=W,
    illegal_message=_illegal_wish_move,
    rows=rows(
        Action("claim", frozenset({W.POSTED}), W.CLAIMED, _lazy("认领"), params=("member", "unit", "organization")),
        Action(
            "fulfil", frozenset({W.CLAIMED}), W.FULFILLED, _lazy("实现心愿"), needs_reason=True,
            reason_field="photo", reason_prompt=_lazy("请上传心愿实现的照片。"),
        ),
        Action("confirm", frozenset({W.FULFILLED}), W.CONFIRMED, _lazy("确认实现")),
        Action("withdraw", frozenset({W.POSTED, W.CLAIMED}), W.WITHDRAWN, _lazy("撤回")),
    ),
)  # fmt: skip

FULFILLED_STATUSES = frozenset({W.FULFILLED, W.CONFIRMED})

# orders API action -> the ticket row it takes (an order still new is accepted on the way to dispatch)
ORDER_MOVES: dict[str, tuple[str, ...]] = {"dispatch": ("accept", "dispatch"), "take": ("start",), "done": ("resolve",)}


def order_allowed_actions(ticket_actions: list[str]) -> list[str]:
    """The orders API's moves open to an order whose ticket offers `ticket_actions`."""
    return sorted(move for move, rows_taken in ORDER_MOVES.items() if set(rows_taken) & set(ticket_actions))
