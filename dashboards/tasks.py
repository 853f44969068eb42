"""Periodic refresh of the dashboards' summary table (scheduled in config/settings.py CELERY_BEAT_SCHEDULE)."""

from celery import shared_task

from dashboards.refresh import refresh_dashboards


@shared_task(name="dashboards.tasks.refresh_dashboards_task")
def refresh_dashboards_task(full: bool = False) -> dict:
    result = refresh_dashboards(full=full)
    return {"full": result.full, "leaves": result.leaves, "facts": result.facts}
