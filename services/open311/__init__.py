"""Open311 GeoReport v2 (JSON only) over the service catalogue and tickets, so existing clients file and track."""
