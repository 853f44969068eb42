"""Dashboard figure families: what each domain app contributes to the officials' dashboards, without core (or the
dashboards app) importing it.

The dashboards keep one summary table of additive counters per leaf (a grid, or a community for rows that have no
grid) per month. Every figure a page shows is computed from those counters summed over a subtree, so a city page
reads a few thousand summary rows instead of a million tickets. A *family* is one app's contribution:

- `key`, `label`: "tickets", "工单"; every metric it stores is named "<key>.<name>" (e.g. "tickets.new").
- `compute(leaves, months)`: the family's counters, set-based (a few GROUP BY queries, never a loop over rows), as
  an iterable of `(community_id, grid_id | None, month, metric, value)`. `leaves` is a `Leaves` (the grids and the
  grid-less communities to compute) or None for every leaf; `months` is ignored by a family whose counters are
  attributed to the month an event happened (every month of those leaves is recomputed, which is what makes an
  incremental refresh equal a full rebuild when a ticket resolved today changes a figure of last month). A value
  of 0 need not be returned: a missing counter sums as 0.
- `snapshot_metrics`: counters that describe *now* (open tickets, coverage gaps): they are stored for the current
  month only, and a past month keeps what the last refresh of that month stored (the month-end picture).
- `touched(since)`: the leaves whose counters may have changed since a moment, as a `Leaves`. It may say too much
  (more work, same result) but should not say too little; the nightly full rebuild catches what a timestamp cannot
  see (a deleted row, a many-to-many edit).
- `live` (optional): a dotted path to `f(*, node, fetched_by) -> dict`, the family's live, reader-scoped answer,
  which core.statistics (the ticket statistics' `families`) reads. One registry holds both views of a family.
- `figures`: the tiles, each a function of the summed counters (`total`, `ratio`, `mean` build the usual ones), with
  a label and a unit; `trend` names the figures drawn over 12 months; `charts` the small breakdowns.

Adding a family is one module in the app (e.g. services/tickets/figures.py) and one line in its AppConfig.ready():

    from core.figures import figure_families
    figure_families.register("tickets", "services.tickets.figures.FAMILY")

The value is a dotted path, resolved on first use (`families()`), so ready() imports nothing heavy.
"""

from __future__ import annotations

import datetime
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import import_string

from core.registry import Registry

figure_families = Registry("dashboard figure families")

FactRow = tuple[int, int | None, datetime.date, str, float]
Counters = Mapping[str, float]


@dataclass(frozen=True)
class Leaves:
    """A set of leaves: grids (each with its community) and communities' grid-less rows."""

    grids: frozenset[int] = frozenset()
    communities: frozenset[int] = frozenset()  # the rows of these communities that have no grid

    def __or__(self, other: Leaves) -> Leaves:
        return Leaves(self.grids | other.grids, self.communities | other.communities)

    def __bool__(self) -> bool:
        return bool(self.grids or self.communities)


@dataclass(frozen=True)
class Figure:
    """One tile: `value(counters)` from the node's summed counters; `unit` is shown after the number."""

    key: str
    label: Any
    value: Callable[[Counters], float | None]
    unit: Any = ""
    percent: bool = False  # a share in [0, 1], shown as a percentage
    higher_is_better: bool = True  # how a ranking of children orders this figure


@dataclass(frozen=True)
class Chart:
    """A small breakdown: one bar or pie slice per (label, metric)."""

    key: str
    label: Any
    kind: str  # "pie" | "bar"
    items: tuple[tuple[Any, str], ...]


@dataclass(frozen=True)
class Family:
    key: str
    label: Any
    compute: Callable[[Leaves | None, list[datetime.date]], Iterable[FactRow]]
    touched: Callable[[datetime.datetime], Leaves]
    figures: tuple[Figure, ...]
    snapshot_metrics: frozenset[str] = frozenset()
    trend: tuple[str, ...] = ()
    charts: tuple[Chart, ...] = ()
    ranked: tuple[str, ...] = ()  # figures the children are ranked by
    # Dotted path of `f(*, node, fetched_by) -> dict`: the family's figures computed now and only over rows the
    # reader may see, for answers that cannot wait for a refresh (/api/v1/ticket-stats/ via core.statistics).
    live: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    def metric(self, name: str) -> str:
        return f"{self.key}.{name}"


def families() -> list[Family]:
    """Every registered family, in registration order (INSTALLED_APPS order)."""
    found = []
    for entry in figure_families:
        value = entry.value
        found.append(import_string(value) if isinstance(value, str) else value)
    return found


def all_figures() -> dict[str, Figure]:
    return {figure.key: figure for family in families() for figure in family.figures}


def total(*metrics: str) -> Callable[[Counters], float]:
    """The sum of counters."""
    return lambda c: sum(c.get(m, 0) for m in metrics)


def ratio(
    part: str | Callable[[Counters], float], whole: str | Callable[[Counters], float]
) -> Callable[[Counters], float | None]:
    """part / whole, or None when the whole is 0 (a rate, a share, an average: sum over count)."""
    top = total(part) if isinstance(part, str) else part
    bottom = total(whole) if isinstance(whole, str) else whole

    def value(c: Counters) -> float | None:
        under = bottom(c)
        return top(c) / under if under else None

    return value


mean = ratio  # an average is a sum of values over a count of them: the same arithmetic, named for the reader


def month_start(day: datetime.date) -> datetime.date:
    return day.replace(day=1)


def add_months(month: datetime.date, count: int) -> datetime.date:
    index = month.year * 12 + month.month - 1 + count
    return datetime.date(index // 12, index % 12 + 1, 1)
