"""Webhook deliveries for ticket events (filled in by the webhooks work: signing, Celery delivery, retries)."""


def enqueue_deliveries(*, event_id: int) -> None:
    """Create a delivery per matching subscription and queue it; called after the event's transaction commits."""
