"""The dashboard map's data: the grids' stored outlines as one GeoJSON FeatureCollection.

ECharts draws it with `echarts.registerMap(name, featureCollection)` in the browser, so the map needs neither tiles
nor a GIS library: each feature is a grid's validated outline (grids.validators.validate_outline) with the grid's
id, name, page URL and figures as properties. Grids without an outline are left off the map (they still appear in
the children table).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from typing import Any

from grids.models import Grid

GeoJSON = dict[str, Any]


def grid_features(
    grids: Iterable[Grid],
    values_by_grid_id: Mapping[int, Mapping[str, float | None]],
    url_for: Callable[[Grid], str],
) -> GeoJSON:
    """A FeatureCollection of the grids that have an outline, each carrying id, name, url and its figures."""
    features = [_feature(grid, values_by_grid_id.get(grid.pk, {}), url_for(grid)) for grid in grids if _drawable(grid)]
    return {"type": "FeatureCollection", "features": features}


def _drawable(grid: Grid) -> bool:
    outline = grid.outline
    return (
        isinstance(outline, dict)
        and outline.get("type") in ("Polygon", "MultiPolygon")
        and bool(outline.get("coordinates"))
    )


def _feature(grid: Grid, values: Mapping[str, float | None], url: str) -> GeoJSON:
    geometry = {"type": grid.outline["type"], "coordinates": grid.outline["coordinates"]}
    properties = {"id": grid.pk, "name": grid.name, "url": url, "values": dict(values)}
    return {"type": "Feature", "id": grid.pk, "geometry": geometry, "properties": properties}
