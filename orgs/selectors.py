"""Reads on the organization tree that need more than a filter."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.db.models import Subquery

from orgs.models import Organization

if TYPE_CHECKING:
    from accounts.models import User

#: One organization of the nested subtree: its own fields and "children", a list of the same.
Node = dict[str, Any]


def organization_subtree(*, root_id: int | None, fetched_by: User) -> list[Node]:
    """The visible subtree under `root_id` (or every visible tree) as nested dicts, from a single query.

    The root's tree numbers come in as subqueries so the whole read is one SQL statement whatever the depth.
    """
    visible = Organization.objects.visible_to(fetched_by)
    if root_id is not None:
        root = Organization.objects.filter(pk=root_id)
        visible = visible.filter(
            tree_id=Subquery(root.values("tree_id")),
            lft__gte=Subquery(root.values("lft")),
            lft__lte=Subquery(root.values("rght")),
        )
    rows = visible.order_by("tree_id", "lft").values("id", "name", "code", "level", "is_active", "parent_id")
    return _nest(rows)


def _nest(rows: Iterable[dict[str, Any]]) -> list[Node]:
    by_id: dict[int, Node] = {}
    roots: list[Node] = []
    for row in rows:  # ordered by lft, so every parent comes before its children
        node = {key: row[key] for key in ("id", "name", "code", "level", "is_active")} | {"children": []}
        by_id[row["id"]] = node
        parent = by_id.get(row["parent_id"])
        (parent["children"] if parent else roots).append(node)
    return roots
