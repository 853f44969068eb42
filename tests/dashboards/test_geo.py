"""The map's FeatureCollection is built from the grids' stored outlines (dashboards.geo.grid_features)."""

import pytest

from dashboards.geo import grid_features
from tests.grids.factories import GridFactory

pytestmark = pytest.mark.django_db

SQUARE = {
    "type": "Polygon",
    "coordinates": [[[118.9, 30.6], [119.0, 30.6], [119.0, 30.7], [118.9, 30.7], [118.9, 30.6]]],
}
TWO_SQUARES = {
    "type": "MultiPolygon",
    "coordinates": [
        [[[118.0, 30.0], [118.1, 30.0], [118.1, 30.1], [118.0, 30.0]]],
        [[[118.2, 30.0], [118.3, 30.0], [118.3, 30.1], [118.2, 30.0]]],
    ],
}


def _url(grid):
    return f"/dashboard/grid/{grid.pk}/"


def test_each_outlined_grid_becomes_a_feature_with_its_outline_as_geometry():
    east, west = GridFactory(name="东片网格", outline=SQUARE), GridFactory(name="西片网格", outline=TWO_SQUARES)
    collection = grid_features([east, west], {}, _url)
    assert collection["type"] == "FeatureCollection"
    assert [f["type"] for f in collection["features"]] == ["Feature", "Feature"]
    assert [f["geometry"] for f in collection["features"]] == [SQUARE, TWO_SQUARES]


def test_properties_carry_the_grids_id_name_url_and_figures():
    grid = GridFactory(name="东片网格", outline=SQUARE)
    values = {grid.pk: {"coverage.gaps": 4, "tickets.open": 2, "tickets.overdue": None}}
    (feature,) = grid_features([grid], values, _url)["features"]
    assert feature["properties"] == {
        "id": grid.pk, "name": "东片网格", "url": f"/dashboard/grid/{grid.pk}/",
        "values": {"coverage.gaps": 4, "tickets.open": 2, "tickets.overdue": None},
    }  # fmt: skip


def test_grids_without_an_outline_are_left_off_the_map():
    drawn = GridFactory(outline=SQUARE)
    GridFactory(outline=None)
    GridFactory(outline={})
    features = grid_features(type(drawn).objects.order_by("pk"), {}, _url)["features"]
    assert [f["properties"]["id"] for f in features] == [drawn.pk]


def test_a_grid_without_figures_gets_empty_values_and_nothing_is_shared_between_features():
    first, second = GridFactory(outline=SQUARE), GridFactory(outline=SQUARE)
    figures = {first.pk: {"tickets.open": 1}}
    features = grid_features([first, second], figures, _url)["features"]
    assert [f["properties"]["values"] for f in features] == [{"tickets.open": 1}, {}]
    features[0]["properties"]["values"]["tickets.open"] = 99
    assert figures[first.pk] == {"tickets.open": 1}


def test_no_outlined_grid_gives_an_empty_collection():
    assert grid_features([GridFactory()], {}, _url) == {"type": "FeatureCollection", "features": []}
