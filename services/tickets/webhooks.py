"""Webhook deliveries for ticket events: who gets an event, the signed JSON they get, and one logged attempt.

A subscription receives the events of tickets whose community lies in its organization's subtree, filtered by its
`events` list (empty = all). One WebhookDelivery per (subscription, event) — the unique constraint makes enqueueing
idempotent — and a Celery task per delivery, queued through the outbox (core.outbox) so that a broker outage
delays it instead of losing it. A delivery whose message was lost anyway (a restarted Redis keeps nothing on disk)
is found by `requeue_stalled_deliveries`, run by beat. The body is signed with the subscription's secret:
`X-Tongxinyuan-Signature: sha256=<hex HMAC-SHA256 of the raw body>`.
"""

import datetime
import hashlib
import hmac
import json
import logging
import urllib.error
import urllib.request

from django.core.serializers.json import DjangoJSONEncoder
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from core import outbox
from core.scoping import ancestors_q
from services.models import DeliveryStatus, TicketEvent, WebhookDelivery, WebhookSubscription

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 6
TIMEOUT_SECONDS = 10
# A delivery never attempted this long after it was made lost its message; one pending this long after it was made
# outlived its retries (30 s … 10 min backoff, six tries: about 25 minutes at most), so its retry was lost.
UNTRIED_GRACE = datetime.timedelta(minutes=10)
RETRYING_GRACE = datetime.timedelta(hours=1)
REQUEUE_BATCH = 1000
SIGNATURE_HEADER = "X-Tongxinyuan-Signature"
EVENT_HEADER = "X-Tongxinyuan-Event"


def subscriptions_for(event: TicketEvent) -> list[WebhookSubscription]:
    """Active subscriptions whose subtree holds the ticket's community and that want this kind of event."""
    community = event.ticket.community
    candidates = WebhookSubscription.objects.filter(ancestors_q("organization", community), is_active=True)
    # The events list is filtered here, not in SQL: JSON containment is not portable to SQLite.
    return [sub for sub in candidates if not sub.events or event.kind in sub.events]


def event_payload(event: TicketEvent) -> dict:
    """What an integrator receives: the event and the ticket's public state (no reporter details)."""
    ticket = event.ticket
    return {
        "event": event.kind,
        "event_id": event.pk,
        "occurred_at": event.created_at.isoformat(),
        "from_status": event.from_status,
        "to_status": event.to_status,
        "note": event.note,
        "ticket": {
            "id": ticket.pk,
            "reference": ticket.reference,
            "status": ticket.status,
            "channel": ticket.channel,
            "service_code": ticket.service_item.code,
            "community": ticket.community.code,
            "handling_level": ticket.handling_level,
            "handling_org": ticket.handling_org.code,
            "card": ticket.card,
            "resolution_due_at": ticket.resolution_due_at.isoformat() if ticket.resolution_due_at else None,
        },
    }


def enqueue_deliveries(*, event_id: int) -> list[int]:
    """Create a delivery per matching subscription and queue it (outbox); a second call creates nothing."""
    from services.tasks import deliver_webhook

    event = (
        TicketEvent.objects.select_related("ticket__community", "ticket__service_item", "ticket__handling_org")
        .filter(pk=event_id)
        .first()
    )
    if event is None:
        return []
    created = []
    payload = json.loads(json.dumps(event_payload(event), cls=DjangoJSONEncoder))
    for subscription in subscriptions_for(event):
        try:
            with transaction.atomic():
                delivery, made = WebhookDelivery.objects.get_or_create(
                    subscription=subscription, event=event, defaults={"payload": payload}
                )
        except IntegrityError:  # a concurrent call made it first
            continue
        if made:
            created.append(delivery.pk)
    for delivery_id in created:
        outbox.enqueue(deliver_webhook, delivery_id)
    return created


def requeue_stalled_deliveries(*, now: datetime.datetime | None = None) -> list[int]:
    """Queue again the pending deliveries whose message was lost: never tried, or retrying for far too long.

    Safe to overlap with a message still in flight: attempt_delivery locks the row and sends nothing for a
    delivery that is no longer pending, so a duplicate message costs a query, not a second POST.
    """
    now = now or timezone.now()
    from services.tasks import deliver_webhook

    stalled = list(
        WebhookDelivery.objects.filter(status=DeliveryStatus.PENDING)
        .filter(
            models.Q(attempts=0, created_at__lte=now - UNTRIED_GRACE) | models.Q(created_at__lte=now - RETRYING_GRACE)
        )
        .order_by("created_at")
        .values_list("pk", flat=True)[:REQUEUE_BATCH]
    )
    with transaction.atomic():
        for delivery_id in stalled:
            outbox.enqueue(deliver_webhook, delivery_id)
    if stalled:
        logger.warning("re-queued %s stalled webhook deliveries", len(stalled))
    return stalled


def sign(body: bytes, secret: str) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def post_json(url: str, body: bytes, headers: dict[str, str], timeout: float) -> int:
    """POST and return the HTTP status; network failures raise OSError. Tests replace this function."""
    request = urllib.request.Request(url, data=body, headers=headers, method="POST")
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310 (http(s) URLField)
            return response.status
    except urllib.error.HTTPError as exc:
        return exc.code


def attempt_delivery(delivery_id: int, *, final: bool = False) -> WebhookDelivery | None:
    """One logged attempt. Returns the delivery, still PENDING if it failed and may be retried; None if no attempt.

    `final` marks a failure as FAILED even before MAX_ATTEMPTS (no worker will retry it). The row is locked for the
    attempt (SKIP LOCKED): a duplicate message for a delivery being attempted right now sends nothing.
    """
    with transaction.atomic():
        locked = WebhookDelivery.objects.select_for_update(skip_locked=True, of=("self",))
        delivery = locked.select_related("subscription").filter(pk=delivery_id).first()
        if delivery is None:
            return None  # gone, or being attempted by another worker right now: that one logs the attempt
        if delivery.status != DeliveryStatus.PENDING:
            return delivery  # already settled: a redelivered task sends nothing twice
        return _attempt(delivery, final=final)


def _attempt(delivery: WebhookDelivery, *, final: bool) -> WebhookDelivery:
    subscription = delivery.subscription
    body = json.dumps(delivery.payload, ensure_ascii=False, separators=(",", ":")).encode()
    headers = {
        "Content-Type": "application/json; charset=utf-8",
        "User-Agent": "tongxinyuan-webhooks/1",
        SIGNATURE_HEADER: sign(body, subscription.secret),
        EVENT_HEADER: str(delivery.payload.get("event", "")),
    }
    delivery.attempts += 1
    try:
        code = post_json(subscription.url, body, headers, TIMEOUT_SECONDS)
    except (OSError, ValueError) as exc:  # URLError, timeouts and refused connections are OSErrors
        delivery.response_code = None
        delivery.last_error = f"{type(exc).__name__}: {exc}"[:2000]
    else:
        delivery.response_code = code
        delivery.last_error = "" if 200 <= code < 300 else f"HTTP {code}"
    if delivery.response_code is not None and 200 <= delivery.response_code < 300:
        delivery.status = DeliveryStatus.DELIVERED
        delivery.delivered_at = timezone.now()
    elif final or delivery.attempts >= MAX_ATTEMPTS:
        delivery.status = DeliveryStatus.FAILED
    delivery.save(update_fields=["attempts", "response_code", "last_error", "status", "delivered_at"])
    if delivery.status != DeliveryStatus.DELIVERED:
        logger.warning("webhook delivery %s attempt %s failed: %s", delivery.pk, delivery.attempts, delivery.last_error)
    return delivery
