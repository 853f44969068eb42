"""One node's dashboard for one month, as the page, the API and the xlsx export all show it.

`dashboard_for(node, month)` reads the summed facts (dashboards.selectors) and turns them into figures through the
registered families (core.figures): the headline tiles with this month, last month and the same month last year,
the children with the same figures, rankings of the children, the 12-month trends, the breakdown charts and the
map's values. A fixed number of queries, however many children the node has.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils import timezone

from core.figures import Chart, Family, Figure, add_months, families, month_start
from dashboards import selectors
from dashboards.models import RefreshState
from grids.models import Grid
from orgs.models import Organization

TREND_MONTHS = 12
RANKING_SIZE = 5
MAP_METRICS = ("coverage.gaps", "tickets.open", "tickets.overdue", "visits.this_month")


def node_kind(node) -> str:
    return "grid" if isinstance(node, Grid) else "org"


def node_url(node) -> str:
    return reverse(f"dashboards:{node_kind(node)}", args=[node.pk])


def level_label(node) -> str:
    return str(node.get_grid_level_display() if isinstance(node, Grid) else node.get_level_display())


@dataclass
class Tile:
    figure: Figure
    value: float | None
    last_month: float | None
    last_year: float | None


@dataclass
class FamilyReport:
    family: Family
    tiles: list[Tile]


@dataclass
class ChildRow:
    node: Organization | Grid
    url: str
    values: dict[str, float | None]


@dataclass
class Dashboard:
    node: Organization | Grid
    month: datetime.date
    computed_at: datetime.datetime | None
    families: list[FamilyReport]
    children: list[ChildRow]
    rankings: list[tuple[Figure, list[ChildRow]]]
    trend_months: list[datetime.date]
    trend: dict[str, list[float | None]]
    counters: dict[str, float] = field(default_factory=dict)
    map_grids: list[tuple[Grid, dict[str, float | None]]] = field(default_factory=list)

    @property
    def figures(self) -> list[Figure]:
        return [tile.figure for report in self.families for tile in report.tiles]


def current_month() -> datetime.date:
    return month_start(timezone.localdate())


def dashboard_for(node: Organization | Grid, month: datetime.date | None = None) -> Dashboard:
    month = month or current_month()
    trend_months = [add_months(month, -n) for n in range(TREND_MONTHS - 1, -1, -1)]
    last_month, last_year = add_months(month, -1), add_months(month, -12)
    by_month = selectors.node_counters(node, sorted({*trend_months, last_year}))
    now, before, year_ago = by_month[month], by_month[last_month], by_month[last_year]
    registered = families()
    reports = [
        FamilyReport(family, [Tile(f, f.value(now), f.value(before), f.value(year_ago)) for f in family.figures])
        for family in registered
    ]
    all_figures = {f.key: f for family in registered for f in family.figures}
    children = _child_rows(node, month, all_figures)
    trend = {
        key: [all_figures[key].value(by_month[m]) for m in trend_months]
        for family in registered
        for key in family.trend
    }
    state = RefreshState.objects.filter(pk=1).first()
    return Dashboard(
        node=node,
        month=month,
        computed_at=state.computed_at if state else None,
        families=reports,
        children=children,
        rankings=_rankings(children, [all_figures[key] for family in registered for key in family.ranked]),
        trend_months=trend_months,
        trend=trend,
        counters=now,
        map_grids=_map_grids(node, month, all_figures),
    )


def _child_rows(node, month: datetime.date, figures: dict[str, Figure]) -> list[ChildRow]:
    children = selectors.children_of(node)
    counters = selectors.children_counters(node, month) if children else {}
    return [
        ChildRow(child, node_url(child), {key: f.value(counters.get(child.pk, {})) for key, f in figures.items()})
        for child in children
    ]


def _rankings(children: list[ChildRow], figures: list[Figure]) -> list[tuple[Figure, list[ChildRow]]]:
    """For each ranked figure, the children with a value, best first."""
    rankings = []
    for figure in figures:
        rows = [row for row in children if row.values.get(figure.key) is not None]
        rows.sort(key=lambda row: row.values[figure.key] or 0.0, reverse=figure.higher_is_better)
        rankings.append((figure, rows[:RANKING_SIZE]))
    return rankings


def _map_grids(node, month: datetime.date, figures: dict[str, Figure]) -> list[tuple[Grid, dict[str, float | None]]]:
    grids = selectors.outlined_grids(node)
    counters = selectors.grids_counters(grids, month)
    keys = [key for key in MAP_METRICS if key in figures]
    return [(grid, {key: figures[key].value(counters.get(grid.pk, {})) for key in keys}) for grid in grids]


def chart_data(board: Dashboard) -> dict:
    """The one JSON payload the charts read (its shape is the contract in I12_CONTRACT.md)."""
    registered = families()
    figures = {f.key: f for family in registered for f in family.figures}
    return {
        "node": {
            "kind": node_kind(board.node),
            "id": board.node.pk,
            "name": board.node.name,
            "level_label": level_label(board.node),
        },
        "month": f"{board.month:%Y-%m}",
        "computed_at": timezone.localtime(board.computed_at).isoformat() if board.computed_at else None,
        "trend": {
            "months": [f"{m:%Y-%m}" for m in board.trend_months],
            "series": [
                {"key": key, "label": str(figures[key].label), "values": values} for key, values in board.trend.items()
            ],
        },
        "charts": [
            {
                "key": chart.key,
                "label": str(chart.label),
                "kind": chart.kind,
                "items": [{"label": str(label), "value": value} for label, value in chart_items(chart, board.counters)],
            }
            for family in registered
            for chart in family.charts
        ],
        "map": _map_payload(board, figures),
    }


def chart_items(chart: Chart, counters: dict[str, float]) -> list[tuple[Any, float]]:
    """A chart's (label, value) pairs: its listed metrics, or for a chart that ranks its own bars (a family's top
    service items) what it picks from the counters."""
    ranked = getattr(chart, "ranked_items", None)
    if ranked is not None:
        return ranked(counters)
    return [(label, counters.get(metric, 0)) for label, metric in chart.items]


def _map_payload(board: Dashboard, figures: dict[str, Figure]) -> dict | None:
    if not board.map_grids:
        return None
    keys = [key for key in MAP_METRICS if key in figures]
    values = {grid.pk: grid_values for grid, grid_values in board.map_grids}
    return {
        "metrics": [{"key": key, "label": str(figures[key].label)} for key in keys],
        "default_metric": "tickets.open" if "tickets.open" in keys else keys[0],
        "features": grid_features([grid for grid, _values in board.map_grids], values, node_url),
    }


try:  # the charts branch owns dashboards/geo.py; until it is merged, the same function lives here
    from dashboards.geo import grid_features  # type: ignore[import-not-found,unused-ignore]
except ImportError:  # pragma: no cover - replaced by dashboards.geo

    def grid_features(grids, values_by_grid_id: dict, url_for) -> dict:  # type: ignore[misc,unused-ignore]
        features = [
            {
                "type": "Feature",
                "geometry": grid.outline,
                "properties": {
                    "id": grid.pk,
                    "name": grid.name,
                    "url": url_for(grid),
                    "values": values_by_grid_id.get(grid.pk, {}),
                },
            }
            for grid in grids
        ]
        return {"type": "FeatureCollection", "features": features}
