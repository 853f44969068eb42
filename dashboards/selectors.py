"""Reads of the summary facts: a node's counters by month, and every child's counters in the same single query.

An organization's counters are read from NodeMonthFact, the leaves already summed up to every organization by
dashboards.refresh: a city page reads a few hundred rows, not the ~80,000 leaf facts of a 1M-resident city (summing
those took 100 ms on PostgreSQL; bench/dashboard.py). A grid's counters are one range aggregate over its subtree's
leaf facts (a grid subtree is small). Children's counters come from one more query — the organization children's
summed rows, or each leaf fact joined to the grid child whose range holds it (`c.lft <= x.lft <= c.rght`) — so the
page costs the same queries with 3 children or 300. The SQL is plain and portable (SQLite in tests, PostgreSQL in
production)."""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Sequence
from typing import Any

from django.db import connection

from dashboards.models import LeafMonthFact, NodeMonthFact
from grids.models import Grid
from orgs.models import Organization
from orgs.rules import Level

Node = Organization | Grid
# Organization levels listed as children of a node: the main line down to the communities.
MAIN_LINE = (Level.DISTRICT, Level.STREET, Level.COMMUNITY)

FACT = LeafMonthFact._meta.db_table
NODE_FACT = NodeMonthFact._meta.db_table
ORG = Organization._meta.db_table
GRID = Grid._meta.db_table


def _placeholders(values: Sequence[object]) -> str:
    return ", ".join(["%s"] * len(values))


def _as_date(value: object) -> datetime.date:
    return value if isinstance(value, datetime.date) else datetime.date.fromisoformat(str(value)[:10])


def _subtree_join(node: Node) -> tuple[str, list[Any]]:
    """FROM/WHERE restricting facts to `node`'s subtree: through the fact's community, or its grid."""
    if isinstance(node, Grid):
        sql = f"FROM {FACT} f JOIN {GRID} n ON n.id = f.grid_id WHERE n.tree_id = %s AND n.lft BETWEEN %s AND %s"
    else:
        sql = f"FROM {FACT} f JOIN {ORG} n ON n.id = f.community_id WHERE n.tree_id = %s AND n.lft BETWEEN %s AND %s"
    return sql, [node.tree_id, node.lft, node.rght]


def node_counters(node: Node, months: Sequence[datetime.date]) -> dict[datetime.date, dict[str, float]]:
    """{month: {metric: sum}} over `node`'s subtree for each of `months` (one query): an organization's rows are
    summed in advance (NodeMonthFact, kept by dashboards.refresh), a grid's subtree is summed from its leaves."""
    if isinstance(node, Grid):
        where, params = _subtree_join(node)
    else:
        where, params = f"FROM {NODE_FACT} f WHERE f.node_id = %s", [node.pk]
    sql = (
        f"SELECT f.month, f.metric, SUM(f.value) {where} AND f.month IN ({_placeholders(months)}) "
        "GROUP BY f.month, f.metric"
    )
    found: dict[datetime.date, dict[str, float]] = {month: {} for month in months}
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, *months])
        for month, metric, value in cursor.fetchall():
            found.setdefault(_as_date(month), {})[metric] = float(value)
    return found


def children_of(node: Node) -> list[Node]:
    """The nodes a page lists below `node`: streets/communities under an organization above the communities, the
    top-level grids of a community, the sub-grids of a grid."""
    if isinstance(node, Grid):
        return list(node.get_children().order_by("code"))
    if node.level == Level.COMMUNITY:
        return list(Grid.objects.filter(community=node, parent__isnull=True).order_by("code"))
    return list(node.get_children().filter(level__in=MAIN_LINE).order_by("lft"))


def _children_join(node: Node) -> tuple[str, list[Any]]:
    """FROM/WHERE joining each fact to the child of `node` whose range holds it (alias c)."""
    if isinstance(node, Grid) or node.level == Level.COMMUNITY:
        parent = "c.parent_id = %s" if isinstance(node, Grid) else "c.parent_id IS NULL AND c.community_id = %s"
        return (
            f"FROM {FACT} f JOIN {GRID} x ON x.id = f.grid_id "
            f"JOIN {GRID} c ON c.tree_id = x.tree_id AND x.lft BETWEEN c.lft AND c.rght WHERE {parent}",
            [node.pk],
        )
    return (
        f"FROM {NODE_FACT} f JOIN {ORG} c ON c.id = f.node_id "
        f"WHERE c.parent_id = %s AND c.level IN ({_placeholders(MAIN_LINE)})",
        [node.pk, *MAIN_LINE],
    )


def children_counters(node: Node, month: datetime.date) -> dict[int, dict[str, float]]:
    """{child id: {metric: sum}} for every child of `node` in `month` (one query, whatever the number of children)."""
    where, params = _children_join(node)
    sql = f"SELECT c.id, f.metric, SUM(f.value) {where} AND f.month = %s GROUP BY c.id, f.metric"
    found: dict[int, dict[str, float]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*params, month])
        for child_id, metric, value in cursor.fetchall():
            found[child_id][metric] = float(value)
    return found


def grids_counters(grids: Sequence[Grid], month: datetime.date) -> dict[int, dict[str, float]]:
    """{grid id: {metric: sum over the grid's subtree}} for the given grids in `month` (one query): the map."""
    if not grids:
        return {}
    ids = [grid.pk for grid in grids]
    sql = (
        f"SELECT c.id, f.metric, SUM(f.value) FROM {FACT} f JOIN {GRID} x ON x.id = f.grid_id "
        f"JOIN {GRID} c ON c.tree_id = x.tree_id AND x.lft BETWEEN c.lft AND c.rght "
        f"WHERE c.id IN ({_placeholders(ids)}) AND f.month = %s GROUP BY c.id, f.metric"
    )
    found: dict[int, dict[str, float]] = defaultdict(dict)
    with connection.cursor() as cursor:
        cursor.execute(sql, [*ids, month])
        for grid_id, metric, value in cursor.fetchall():
            found[grid_id][metric] = float(value)
    return found


def outlined_grids(node: Node) -> list[Grid]:
    """The grids with a stored outline beneath `node` (itself included for a grid): what the map draws."""
    grids = Grid.objects.exclude(outline__isnull=True).only("id", "name", "outline", "tree_id", "lft", "rght")
    if isinstance(node, Grid):
        grids = grids.filter(tree_id=node.tree_id, lft__gte=node.lft, lft__lte=node.rght)
    else:
        grids = grids.filter(
            community__tree_id=node.tree_id, community__lft__gte=node.lft, community__lft__lte=node.rght
        )
    return [grid for grid in grids.order_by("code") if grid.outline]  # {} is a valid "no outline" too
