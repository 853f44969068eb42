"""`A OR B` filters that count by parts: count(A) + count(B) − count(A AND B), in one statement.

A paginated list counts its rows on every page. When the rows are `in my subtree OR assigned to me` and nearly all
of a large table is in the subtree, PostgreSQL cannot count the OR from an index: it reads the heap (a sequential
scan, or a BitmapOr whose rows it still visits), 70–160 ms for 100,000 tickets, while each side alone is an
index-only count and the second is tiny (~15–30 ms together). It does not simplify `(A OR B) AND A` either, so the
parts cannot be had by filtering the OR again: the OR itself is left out of the parts' WHERE.

`filter_either()` puts the OR in the WHERE as a marked node; `count_by_parts()` answers a queryset holding one at
its top level (and nothing that would change what a row is: no slice, DISTINCT, grouping, set operation) with the
three counts. Inclusion–exclusion is exact under SQL's three-valued logic: a row counts in `A OR B` when either
side is true, and `A AND B` is true exactly when both are, so no NULL needs a rewrite. Anything else counts as usual.
"""

from __future__ import annotations

from typing import Any, TypeVar, cast

from django.core.exceptions import FieldError
from django.db import connections, models
from django.db.models import Q
from django.db.models.sql import Query
from django.db.models.sql.where import AND, OR, WhereNode

_QS = TypeVar("_QS", bound=models.QuerySet[Any])


class EitherNode(WhereNode):
    """`first OR second` in a WHERE clause, which count_by_parts() may count side by side (clones keep the class)."""


def filter_either(queryset: _QS, first: Q, second: Q) -> _QS:
    """`queryset.filter(first | second)`, counted by parts when neither side needs a join (else a plain filter)."""
    chained = queryset.all()
    # Built on a scratch copy: resolving `assignee_user=...` sets up (and trims) a join, and that unused INNER join
    # left in the real query would be reused by a later select_related of the nullable relation, losing rows.
    scratch = chained.query.chain()
    try:
        sides: list[Any] = [scratch.build_where(first), scratch.build_where(second)]
    except FieldError:  # a side reaching through a relation: the parts would need joins of their own
        return queryset.filter(first | second)
    chained.query.where.add(EitherNode(sides, OR), AND)
    return chained


def _either_node(query: Query) -> EitherNode | None:
    """The one EitherNode ANDed at the top of `query`'s WHERE, if the query's rows are plain table rows."""
    where = query.where
    if where.connector != AND or where.negated or query.is_sliced or query.distinct or query.combinator:
        return None
    if query.group_by is not None or any(getattr(a, "contains_aggregate", False) for a in query.annotations.values()):
        return None
    found = [child for child in where.children if isinstance(child, EitherNode)]
    return found[0] if len(found) == 1 and not found[0].negated else None


def _count_sql(query: Query, index: int, part: WhereNode, using: str) -> tuple[str, tuple[Any, ...]]:
    """`SELECT COUNT(*) ...` of `query` with the WHERE's child at `index` (the EitherNode) replaced by `part`."""
    counted = query.chain()
    counted.where.children[index] = part
    counted.clear_ordering(force=True)
    counted.clear_select_fields()
    counted.default_cols, counted.select_related = False, False
    counted.set_extra_mask(())
    counted.add_annotation(models.Func(template="COUNT(*)", output_field=models.BigIntegerField()), "n")
    counted.set_annotation_mask(["n"])
    sql, params = counted.get_compiler(using=using).as_sql()
    return sql, tuple(params)


def count_by_parts(queryset: models.QuerySet[Any]) -> int | None:
    """The row count of a queryset filtered by filter_either(), as three index-friendly counts; None if it is not."""
    query = queryset.query
    node = _either_node(query)
    if node is None:
        return None
    index = next(i for i, child in enumerate(query.where.children) if child is node)
    first, second = cast(list[WhereNode], node.children)
    parts = [
        _count_sql(query, index, part, queryset.db)
        for part in (first, second, WhereNode([first, second], AND))
    ]
    sql = "SELECT ({}) + ({}) - ({})".format(*(part_sql for part_sql, _ in parts))
    params = tuple(param for _, part_params in parts for param in part_params)
    with connections[queryset.db].cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    return int(row[0])
