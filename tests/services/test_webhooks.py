"""Webhooks: who gets an event, signed bodies, one delivery per event, logged attempts and retries (no traffic)."""

import datetime
import hashlib
import hmac
import json
import threading
from http.server import BaseHTTPRequestHandler, HTTPServer

import pytest
from django.utils import timezone

from orgs.rules import Level
from services.models import DeliveryStatus, WebhookDelivery
from services.tasks import deliver_webhook, requeue_stalled_deliveries_task
from services.tickets import webhooks
from services.tickets.services import ticket_transition
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory
from tests.services.factories import TicketFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def queued(monkeypatch, settings):
    """Task ids queued instead of sent to a broker (embedded mode, even when REDIS_URL names a real one)."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    sent = []
    monkeypatch.setattr(deliver_webhook, "delay", lambda delivery_id: sent.append(delivery_id))
    return sent


@pytest.fixture(autouse=True)
def _broker_assumed_up(monkeypatch):
    from core import outbox

    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)


@pytest.fixture
def calls(monkeypatch):
    """Record every POST instead of making it; `calls.answer` is the status code (or exception) to give back."""

    class Recorder(list):
        answer = 200

    recorder = Recorder()

    def fake_post(url, body, headers, timeout):
        recorder.append({"url": url, "body": body, "headers": headers, "timeout": timeout})
        if isinstance(recorder.answer, Exception):
            raise recorder.answer
        return recorder.answer

    monkeypatch.setattr(webhooks, "post_json", fake_post)
    return recorder


@pytest.fixture
def retrying(settings):
    """As with a worker: failures retry. Eager retries run inline; the Retry signal must not propagate to the test."""
    settings.CELERY_TASK_ALWAYS_EAGER = False
    settings.CELERY_TASK_EAGER_PROPAGATES = False


@pytest.fixture
def street():
    return OrganizationFactory(level=Level.STREET)


def _community(street):
    return OrganizationFactory(level=Level.COMMUNITY, parent=street)


def test_an_event_creates_one_delivery_per_matching_subscription_after_commit(
    street, queued, django_capture_on_commit_callbacks
):
    community = _community(street)
    on_street = WebhookSubscriptionFactory(organization=street)
    only_resolve = WebhookSubscriptionFactory(organization=street, events=["resolve"])
    wants_reported = WebhookSubscriptionFactory(organization=community, events=["reported"])
    WebhookSubscriptionFactory(organization=_community(street))  # a sibling community: not this ticket's
    WebhookSubscriptionFactory(organization=street, is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        ticket = TicketFactory(community=community)
    deliveries = WebhookDelivery.objects.filter(event__ticket=ticket)
    assert {d.subscription_id for d in deliveries} == {on_street.pk, wants_reported.pk}
    assert only_resolve.pk not in {d.subscription_id for d in deliveries}
    assert sorted(queued) == sorted(d.pk for d in deliveries)
    payload = deliveries.first().payload
    assert payload["event"] == "reported" and payload["ticket"]["reference"] == ticket.reference
    assert "13912345678" not in json.dumps(payload)


def test_enqueueing_twice_creates_and_queues_nothing_more(street, queued, django_capture_on_commit_callbacks):
    WebhookSubscriptionFactory(organization=street)
    ticket = TicketFactory(community=_community(street))
    event = ticket.events.get()
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.enqueue_deliveries(event_id=event.pk)
        webhooks.enqueue_deliveries(event_id=event.pk)
    assert WebhookDelivery.objects.filter(event=event).count() == 1
    assert len(queued) == 1


def test_nothing_is_queued_when_the_transaction_rolls_back(street, queued, django_capture_on_commit_callbacks):
    WebhookSubscriptionFactory(organization=street)
    ticket = TicketFactory(community=_community(street))
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        webhooks.enqueue_deliveries(event_id=ticket.events.get().pk)
    assert queued == []  # queued only by the on-commit callback, which a rollback never runs
    assert len(callbacks) == 1


def test_a_delivery_is_signed_with_the_subscription_secret(street, calls):
    subscription = WebhookSubscriptionFactory(organization=street, secret="s3cret")
    ticket = TicketFactory(community=_community(street))
    delivery = WebhookDelivery.objects.create(
        subscription=subscription, event=ticket.events.get(), payload={"event": "reported", "ticket": {"id": 1}}
    )
    assert deliver_webhook.apply(args=[delivery.pk]).get() == DeliveryStatus.DELIVERED
    (call,) = calls
    expected = "sha256=" + hmac.new(b"s3cret", call["body"], hashlib.sha256).hexdigest()
    assert call["headers"]["X-Tongxinyuan-Signature"] == expected
    assert call["headers"]["X-Tongxinyuan-Event"] == "reported"
    assert call["timeout"] == 10
    assert json.loads(call["body"]) == delivery.payload
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.DELIVERED, 1, 200)
    assert delivery.delivered_at is not None


def test_a_delivered_delivery_is_never_sent_twice(street, calls):
    subscription = WebhookSubscriptionFactory(organization=street)
    ticket = TicketFactory(community=_community(street))
    delivery = WebhookDelivery.objects.create(subscription=subscription, event=ticket.events.get(), payload={})
    deliver_webhook.apply(args=[delivery.pk])
    deliver_webhook.apply(args=[delivery.pk])
    assert len(calls) == 1


def test_failures_are_retried_up_to_six_tries_and_each_attempt_is_logged(street, calls, retrying):
    calls.answer = 503
    subscription = WebhookSubscriptionFactory(organization=street)
    ticket = TicketFactory(community=_community(street))
    delivery = WebhookDelivery.objects.create(subscription=subscription, event=ticket.events.get(), payload={})
    deliver_webhook.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert len(calls) == 6
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.FAILED, 6, 503)
    assert delivery.last_error == "HTTP 503"


def test_a_failure_then_success_ends_delivered(street, retrying, monkeypatch):
    answers = iter([ConnectionRefusedError("refused"), 500, 204])

    def flaky(url, body, headers, timeout):
        answer = next(answers)
        if isinstance(answer, Exception):
            raise answer
        return answer

    monkeypatch.setattr(webhooks, "post_json", flaky)
    subscription = WebhookSubscriptionFactory(organization=street)
    ticket = TicketFactory(community=_community(street))
    delivery = WebhookDelivery.objects.create(subscription=subscription, event=ticket.events.get(), payload={})
    deliver_webhook.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.response_code) == (DeliveryStatus.DELIVERED, 3, 204)
    assert delivery.last_error == ""


def test_embedded_mode_gives_up_after_one_attempt(street, calls, settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    calls.answer = OSError("timed out")
    subscription = WebhookSubscriptionFactory(organization=street)
    ticket = TicketFactory(community=_community(street))
    delivery = WebhookDelivery.objects.create(subscription=subscription, event=ticket.events.get(), payload={})
    deliver_webhook.apply(args=[delivery.pk])
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "timed out" in delivery.last_error


def test_a_transition_reaches_a_local_receiver_signed(street, settings, django_capture_on_commit_callbacks):
    """End to end against a tiny http.server on 127.0.0.1: the transition's event arrives, signed, as JSON."""
    settings.CELERY_TASK_ALWAYS_EAGER = True
    received = []

    class Receiver(BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers["Content-Length"]))
            received.append((dict(self.headers), body))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *args):
            pass

    server = HTTPServer(("127.0.0.1", 0), Receiver)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_port}/hook"
        WebhookSubscriptionFactory(organization=street, url=url, secret="k", events=["accept"])
        ticket = TicketFactory(community=_community(street))
        with django_capture_on_commit_callbacks(execute=True):
            ticket_transition(ticket=ticket, action="accept", by=UserFactory(scope=street))
    finally:
        server.shutdown()
        server.server_close()
    (headers, body) = received[0]
    assert len(received) == 1
    assert headers["X-Tongxinyuan-Event"] == "accept"
    assert headers["X-Tongxinyuan-Signature"] == "sha256=" + hmac.new(b"k", body, hashlib.sha256).hexdigest()
    assert json.loads(body)["ticket"]["status"] == "accepted"
    assert WebhookDelivery.objects.get().status == DeliveryStatus.DELIVERED


# --- nothing lost when the broker or its queue is -----------------------------------------------------------------


def _aged(delivery, **ago):
    WebhookDelivery.objects.filter(pk=delivery.pk).update(created_at=timezone.now() - datetime.timedelta(**ago))


def test_a_delivery_pending_with_no_attempt_is_queued_again_by_the_sweep(
    street, queued, django_capture_on_commit_callbacks
):
    """Its message was lost (a restarted Redis keeps nothing): the beat sweep queues it once more."""
    subscription = WebhookSubscriptionFactory(organization=street)
    ticket = TicketFactory(community=_community(street))
    lost = WebhookDelivery.objects.create(subscription=subscription, event=ticket.events.get(), payload={})
    _aged(lost, minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert requeue_stalled_deliveries_task.apply().get() == 1
    assert queued == [lost.pk]


def test_the_sweep_leaves_fresh_settled_and_retrying_deliveries_alone(
    street, queued, django_capture_on_commit_callbacks
):
    subscription = WebhookSubscriptionFactory(organization=street)
    events = [TicketFactory(community=_community(street)).events.get() for _ in range(3)]
    WebhookDelivery.objects.create(subscription=subscription, event=events[0], payload={})  # just made
    done = WebhookDelivery.objects.create(
        subscription=subscription, event=events[1], payload={}, status=DeliveryStatus.DELIVERED
    )
    retrying = WebhookDelivery.objects.create(subscription=subscription, event=events[2], payload={}, attempts=2)
    _aged(done, hours=2)
    _aged(retrying, minutes=30)
    with django_capture_on_commit_callbacks(execute=True):
        assert webhooks.requeue_stalled_deliveries() == []
    assert queued == []


def test_a_delivery_queued_while_the_broker_was_down_is_sent_by_the_drain(
    street, settings, calls, monkeypatch, django_capture_on_commit_callbacks
):
    """Pending with 0 attempts while Redis is down; once it is back, the outbox drain queues it and it is sent."""
    from kombu.exceptions import OperationalError as BrokerDown

    from config.celery import app
    from core.models import OutboxMessage
    from core.tasks import drain_outbox

    settings.CELERY_TASK_ALWAYS_EAGER = False

    def refuse(*args, **kwargs):
        raise BrokerDown("Error 111 connecting to 127.0.0.1:6390. Connection refused.")

    monkeypatch.setattr(app, "send_task", refuse)
    WebhookSubscriptionFactory(organization=street)
    ticket = TicketFactory(community=_community(street))
    with django_capture_on_commit_callbacks(execute=True):
        webhooks.enqueue_deliveries(event_id=ticket.events.get().pk)
    delivery = WebhookDelivery.objects.get()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 0)
    waiting = OutboxMessage.objects.get(task_name="services.tasks.deliver_webhook", sent_at__isnull=True)
    assert waiting.args == [delivery.pk]

    # The broker is back: the worker runs what the drain publishes.
    monkeypatch.setattr(app, "send_task", lambda name, args=(), kwargs=None, **o: app.tasks[name].apply(args, kwargs))
    drain_outbox.run()
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.DELIVERED, 1)
    assert len(calls) == 1
