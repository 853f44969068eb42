"""Background jobs of the shared core."""

from celery import shared_task

from core import outbox


@shared_task(ignore_result=True)  # type: ignore[untyped-decorator]  # celery ships no types
def drain_outbox() -> int:
    """Publish outbox rows left unsent by a broker outage. Idempotent: a sent row is never published again."""
    return outbox.drain()
