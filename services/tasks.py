"""Background jobs of the services app. Tasks take ids, call a service, and are idempotent.

Every task here writes, so each relies on the project-wide late acknowledgement (CELERY_TASK_ACKS_LATE with
CELERY_TASK_REJECT_ON_WORKER_LOST): a worker killed mid-task leaves the message to be redelivered, and the task's
idempotence makes the second run harmless. Work is queued through core.outbox.enqueue, never `.delay()` directly.
"""

from celery import shared_task
from django.conf import settings

from services.models import DeliveryStatus
from services.tickets.webhooks import MAX_ATTEMPTS, attempt_delivery, enqueue_deliveries, requeue_stalled_deliveries


class WebhookDeliveryFailed(Exception):
    """Raised to make Celery retry a delivery that may still succeed."""


@shared_task(
    bind=True,
    autoretry_for=(WebhookDeliveryFailed,),
    retry_backoff=30,  # 30 s, 1 min, 2 min, 4 min, 8 min: rides out a subscriber's restart or short outage
    retry_backoff_max=600,
    retry_jitter=True,
    max_retries=MAX_ATTEMPTS - 1,
)
def deliver_webhook(self, delivery_id: int) -> str | None:
    """POST one signed delivery; every attempt is logged on the delivery, a failure retried up to 6 tries in all.

    In embedded mode (no worker: tasks run eagerly inside the request) a failure is final after one attempt, so a
    slow subscriber never holds a page for a minute of retries.
    """
    delivery = attempt_delivery(delivery_id, final=settings.CELERY_TASK_ALWAYS_EAGER)
    if delivery is None:
        return None
    if delivery.status == DeliveryStatus.PENDING:
        raise WebhookDeliveryFailed(f"delivery {delivery_id}: {delivery.last_error}")
    return delivery.status


@shared_task
def enqueue_event_deliveries(event_ids: list[int]) -> int:
    """Make and queue the webhook deliveries of these events. Idempotent: one delivery per (subscription, event)."""
    return sum(len(enqueue_deliveries(event_id=event_id)) for event_id in event_ids)


@shared_task
def requeue_stalled_deliveries_task() -> int:
    """Queue again the pending deliveries whose message was lost (see services.tickets.webhooks). Idempotent."""
    return len(requeue_stalled_deliveries())


@shared_task(autoretry_for=(Exception,), retry_backoff=15, retry_backoff_max=300, retry_jitter=True, max_retries=5)
def escalate_overdue_tickets_task() -> dict:
    """The SLA sweep: yellow cards, escalation one rung up, the district flag. Idempotent; a failed run retries."""
    from services.tickets.escalation import escalate_overdue_tickets

    return escalate_overdue_tickets().as_dict()


@shared_task(autoretry_for=(Exception,), retry_backoff=60, retry_backoff_max=900, retry_jitter=True, max_retries=5)
def close_unrated_tickets_task() -> int:
    """Close, as 'not rated', resolved tickets whose rating link has lapsed. Idempotent; a failed run retries."""
    from services.tickets.services import close_unrated_tickets

    return close_unrated_tickets()
