"""GeoJSON outline checks: enough to refuse a malformed polygon without a map server or GIS library."""

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

_BAD = _("轮廓须为 GeoJSON 的 Polygon 或 MultiPolygon，每个环至少 4 个 [经度, 纬度] 点且首尾相同。")


def _check_ring(ring) -> None:
    if not isinstance(ring, list) or len(ring) < 4 or ring[0] != ring[-1]:
        raise ValidationError(_BAD, code="outline")
    for point in ring:
        if not (isinstance(point, list) and len(point) >= 2 and all(isinstance(c, int | float) for c in point[:2])):
            raise ValidationError(_BAD, code="outline")
        lng, lat = point[0], point[1]
        if not (-180 <= lng <= 180 and -90 <= lat <= 90):
            raise ValidationError(_("轮廓坐标超出经纬度范围。"), code="outline_range")


def validate_outline(value) -> None:
    if value in (None, {}):
        return
    if not isinstance(value, dict) or value.get("type") not in ("Polygon", "MultiPolygon"):
        raise ValidationError(_BAD, code="outline")
    polygons = value.get("coordinates")
    if value["type"] == "Polygon":
        polygons = [polygons]
    if not isinstance(polygons, list) or not polygons:
        raise ValidationError(_BAD, code="outline")
    for polygon in polygons:
        if not isinstance(polygon, list) or not polygon:
            raise ValidationError(_BAD, code="outline")
        for ring in polygon:
            _check_ring(ring)
