"""Keeping the summary table (LeafMonthFact) equal to what the figure families compute from the live data.

An incremental run asks each family which leaves were touched since the previous run started, and recomputes
*every month* of those leaves (not only the months touched): a ticket resolved today changes a counter of the month
it is resolved in but may also move a counter out of another month (a reopened ticket loses its resolution month),
and a leaf's whole history is a few GROUP BY rows per month, so recomputing it is cheap and leaves no case to
reason about. Snapshot counters (open tickets, coverage) are facts of the current month only; past months keep the
picture their last refresh stored. Each batch of leaves is deleted and re-inserted in one transaction, so a page
never sees a leaf half-written. The first run of a new month is a full one (every leaf needs its snapshot for the
new month), and the nightly full rebuild catches what no timestamp shows.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from itertools import islice

from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from core.figures import FactRow, Family, Leaves, families, month_start
from dashboards.models import LeafMonthFact, NodeMonthFact, RefreshState
from orgs.models import Organization

LEAVES_PER_BATCH = 500
ROWS_PER_INSERT = 5000


@dataclass
class RefreshResult:
    full: bool
    leaves: int
    facts: int
    started_at: datetime.datetime
    computed_at: datetime.datetime


def refresh_dashboards(*, full: bool = False) -> RefreshResult:
    """Bring the facts up to date: only the touched leaves, or every leaf when `full` (or when nothing was ever
    computed, or a new month began since the last run)."""
    started_at = timezone.now()
    this_month = month_start(timezone.localdate(started_at))
    state = RefreshState.objects.filter(pk=1).first()
    full = full or state is None or month_start(timezone.localdate(state.started_at)) != this_month
    leaves = facts = 0
    communities: set[int] = set()
    for family in families():
        if full:
            facts += _rebuild(family, None, this_month)
            continue
        assert state is not None  # not full: there was a previous run
        touched = family.touched(state.started_at)
        leaves += len(touched.grids) + len(touched.communities)
        communities |= _communities_of(touched)
        for batch in _batches(touched):
            facts += _rebuild(family, batch, this_month)
    _roll_up(None if full else communities)
    if full:
        _analyze()
    computed_at = timezone.now()
    RefreshState.objects.update_or_create(
        pk=1, defaults={"started_at": started_at, "computed_at": computed_at, "full": full, "leaves": leaves}
    )
    return RefreshResult(full, leaves, facts, started_at, computed_at)


def _analyze() -> None:
    """Fresh planner statistics after a rebuild: without them PostgreSQL plans the rollup's range join as if the
    table were empty (a nested loop over every community, 3x slower in a scratch test)."""
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"ANALYZE {LeafMonthFact._meta.db_table}")


def _batches(leaves: Leaves) -> Iterator[Leaves]:
    grids, communities = iter(sorted(leaves.grids)), iter(sorted(leaves.communities))
    while batch := Leaves(frozenset(islice(grids, LEAVES_PER_BATCH)), frozenset(islice(communities, LEAVES_PER_BATCH))):
        yield batch


def leaves_q(leaves: Leaves) -> Q:
    return Q(grid_id__in=leaves.grids) | Q(grid__isnull=True, community_id__in=leaves.communities)


def _family_facts(family: Family, this_month: datetime.date) -> Q:
    """The family's facts a recomputation replaces: all but the snapshots of past months."""
    past_snapshots = Q(metric__in=family.snapshot_metrics, month__lt=this_month)
    return Q(metric__startswith=f"{family.key}.") & ~past_snapshots


def _rebuild(family: Family, leaves: Leaves | None, this_month: datetime.date) -> int:
    with transaction.atomic():
        stale = LeafMonthFact.objects.filter(_family_facts(family, this_month))
        if leaves is not None:
            stale = stale.filter(leaves_q(leaves))
        stale.delete()
        rows = _merged(family.compute(leaves, [this_month]))
        LeafMonthFact.objects.bulk_create(rows, batch_size=ROWS_PER_INSERT)
    return len(rows)


def _merged(rows: Iterable[FactRow]) -> list[LeafMonthFact]:
    """Fact rows keyed as the table is (grid, or community for grid-less rows), equal keys summed: a grid whose
    rows name another community (a ticket moved) still gives one row per grid, month and metric."""
    merged: dict[tuple, list] = {}
    for community_id, grid_id, month, metric, value in rows:
        key = ("g", grid_id, month, metric) if grid_id is not None else ("c", community_id, month, metric)
        if key in merged:
            merged[key][4] += value
        else:
            merged[key] = [community_id, grid_id, month, metric, value]
    return [
        LeafMonthFact(community_id=c, grid_id=g, month=m, metric=metric, value=v)
        for c, g, m, metric, v in merged.values()
    ]


def _communities_of(leaves: Leaves) -> set[int]:
    from grids.models import Grid

    return set(leaves.communities) | set(
        Grid.objects.filter(pk__in=leaves.grids).values_list("community_id", flat=True).distinct()
    )


NODE_FACT = NodeMonthFact._meta.db_table
LEAF_FACT = LeafMonthFact._meta.db_table
ORG = Organization._meta.db_table


def _roll_up(communities: set[int] | None) -> None:
    """Rebuild NodeMonthFact for the given communities and every organization above them (every node when None):
    each community from its leaves, then each level above from the level below, deepest first, so no node sums
    more than its children's rows. One transaction: an organization's page never reads a half-summed tree."""
    full = communities is None
    if full:
        communities = set(LeafMonthFact.objects.values_list("community_id", flat=True).distinct())
    if not communities:
        return
    above: dict[int, int] = {}
    for community in Organization.objects.filter(pk__in=communities):
        above.update(community.get_ancestors().values_list("pk", "depth"))
    rebuilt = communities | set(above)
    with transaction.atomic(), connection.cursor() as cursor:
        stale = NodeMonthFact.objects.all() if full else NodeMonthFact.objects.filter(node_id__in=rebuilt)
        stale.delete()
        # Every rebuilt node's own leaf facts first, not only the communities': a family may count a fact at a
        # street or a district (the organization family counts a street's own organizations at the street), and an
        # ancestor rebuilt from its children alone would lose them (the full rebuild has them among `communities`).
        cursor.execute(
            f"INSERT INTO {NODE_FACT} (node_id, month, metric, value) SELECT f.community_id, f.month, f.metric,"
            f" SUM(f.value) FROM {LEAF_FACT} f WHERE f.community_id IN ({_ids(rebuilt)})"
            " GROUP BY f.community_id, f.month, f.metric"
        )
        for depth in sorted(set(above.values()), reverse=True):
            parents = [pk for pk, d in above.items() if d == depth]
            cursor.execute(
                f"INSERT INTO {NODE_FACT} (node_id, month, metric, value) SELECT o.parent_id, f.month, f.metric,"
                f" SUM(f.value) FROM {NODE_FACT} f JOIN {ORG} o ON o.id = f.node_id WHERE o.parent_id IN"
                f" ({_ids(parents)}) GROUP BY o.parent_id, f.month, f.metric"
            )


def _ids(ids) -> str:
    return ", ".join(str(int(pk)) for pk in ids)
