"""The outbox: with the broker down a committed write answers success at once, and nothing queued is lost."""

import time

import pytest
from django.urls import reverse
from kombu.exceptions import OperationalError as BrokerDown

from accounts.models import Role
from core import outbox
from core.models import OutboxMessage
from core.tasks import drain_outbox
from orgs.rules import Level
from services.models import Channel, Ticket
from tests.accounts.factories import UserFactory
from tests.orgs.factories import OrganizationFactory
from tests.scoped_api import client_as
from tests.services.factories import ServiceItemFactory, WebhookSubscriptionFactory

pytestmark = pytest.mark.django_db(transaction=True)  # real commits: on-commit publishing runs as in production

UNREACHABLE = "redis://127.0.0.1:6390/0"  # nothing listens here


@pytest.fixture(autouse=True)
def _broker_assumed_up(monkeypatch):
    monkeypatch.setattr(outbox, "_broker_down_until", 0.0)


@pytest.fixture
def broker_down(settings, monkeypatch):
    """A worker deployment whose Redis is stopped: every publish is refused as kombu refuses it.

    (bench/fault_broker_down.py does the same against a real closed port, with the project's publish timeouts.)
    """
    from config.celery import app

    def refuse(*args, **kwargs):
        raise BrokerDown(f"Error 111 connecting to {UNREACHABLE}. Connection refused.")

    settings.CELERY_TASK_ALWAYS_EAGER = False
    monkeypatch.setattr(app, "send_task", refuse)
    return app


@pytest.fixture
def published(monkeypatch):
    """The broker back: every publish is recorded instead of sent."""
    from config.celery import app

    sent = []
    monkeypatch.setattr(app, "send_task", lambda name, args=(), kwargs=None, **options: sent.append((name, args)))
    return sent


@pytest.fixture
def world():
    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    WebhookSubscriptionFactory(organization=street)
    staff = UserFactory(role=Role.STAFF, scope=street, email="staff@example.org")
    return {"community": community, "staff": staff, "item": ServiceItemFactory()}


def _payload(world) -> dict:
    return {
        "service_item": world["item"].pk,
        "community": world["community"].pk,
        "description": "楼道灯不亮",
        "reporter_name": "李四",
        "reporter_phone": "13912345678",
    }


def test_api_intake_with_the_broker_down_answers_201_quickly_and_keeps_the_work(world, broker_down):
    client_as(world["staff"]).get("/api/v1/tickets/")  # warm up: the first request imports half the project
    start = time.perf_counter()
    response = client_as(world["staff"]).post("/api/v1/tickets/", _payload(world), format="json")
    elapsed = time.perf_counter() - start
    assert response.status_code == 201, response.content
    assert elapsed < 3, f"the request waited {elapsed:.1f} s for the broker"
    pending = list(OutboxMessage.objects.filter(sent_at__isnull=True))
    assert {m.task_name for m in pending} >= {"services.tasks.enqueue_event_deliveries"}
    assert pending[0].attempts == 1 and "6390" in pending[0].last_error
    assert all(m.attempts == 0 for m in pending[1:])  # one refusal is enough: the rest wait for the drain


def test_page_intake_with_the_broker_down_redirects_to_the_ticket(client, world, broker_down):
    client.force_login(world["staff"])
    client.get(reverse("tickets:new"))  # warm up
    data = {"channel": Channel.HOTLINE, "description": "楼道灯不亮", "priority": "normal", "q": ""}
    data |= {"service_item": world["item"].pk, "community": world["community"].pk}
    data |= {"reporter_name": "李四", "reporter_phone": "13912345678"}
    start = time.perf_counter()
    response = client.post(reverse("tickets:new"), data)
    assert response.status_code == 302, response.content.decode()[:2000]
    assert time.perf_counter() - start < 3
    assert response["Location"] == reverse("tickets:detail", args=[Ticket.objects.get().pk])
    assert OutboxMessage.objects.filter(sent_at__isnull=True).exists()


def test_the_drain_publishes_what_waited_once_the_broker_is_back(world, broker_down, monkeypatch):
    client_as(world["staff"]).post("/api/v1/tickets/", _payload(world), format="json")
    waiting = list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", "task_name"))
    assert waiting
    sent = []
    monkeypatch.setattr(broker_down, "send_task", lambda name, args=(), kwargs=None, **o: sent.append(name))
    assert drain_outbox.run() == len(waiting)
    assert sent == [name for _, name in waiting]
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    assert drain_outbox.run() == 0 and len(sent) == len(waiting)  # a sent row is never published again


def test_a_refused_publish_never_raises_into_the_caller(broker_down):
    message = outbox.enqueue("core.tasks.drain_outbox")
    message.refresh_from_db()
    assert message.sent_at is None and message.attempts == 1 and "refused" in message.last_error


def test_after_a_refusal_the_next_on_commit_publishes_leave_the_rows_to_the_drain(broker_down, monkeypatch):
    outbox.enqueue("core.tasks.drain_outbox")
    tried = []
    monkeypatch.setattr(broker_down, "send_task", lambda *a, **k: tried.append(a))
    second = outbox.enqueue("core.tasks.drain_outbox")
    second.refresh_from_db()
    assert tried == [] and second.attempts == 0 and second.sent_at is None
    assert outbox.drain() == 2  # the drain does not wait: it is how the rows get out once the broker is back


def test_the_drain_stops_at_the_first_refusal_rather_than_waiting_out_each_row(broker_down, monkeypatch):
    calls = []

    def refuse(*args, **kwargs):
        calls.append(args)
        raise BrokerDown("down")

    monkeypatch.setattr(broker_down, "send_task", refuse)
    for _ in range(3):
        outbox.enqueue("core.tasks.drain_outbox")
    calls.clear()
    assert outbox.drain() == 0
    assert len(calls) == 1


def test_nothing_is_written_or_published_when_the_transaction_rolls_back(broker_down, published):
    from django.db import transaction

    with pytest.raises(RuntimeError), transaction.atomic():
        outbox.enqueue("core.tasks.drain_outbox")
        raise RuntimeError
    assert not OutboxMessage.objects.exists()
    assert published == []


def test_embedded_mode_runs_the_task_inline_after_commit_and_writes_no_row(settings, monkeypatch):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    ran = []
    monkeypatch.setattr(drain_outbox, "delay", lambda *a, **k: ran.append(a))
    assert outbox.enqueue(drain_outbox) is None
    assert ran == [()] and not OutboxMessage.objects.exists()


def test_writing_tasks_acknowledge_late_and_are_redelivered_when_the_worker_dies(settings):
    from config.celery import app

    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    assert settings.CELERY_TASK_PUBLISH_RETRY is False
    assert settings.CELERY_BROKER_TRANSPORT_OPTIONS["max_retries"] == 0
    app.loader.import_default_modules()
    names = [name for name in app.tasks if name.split(".")[0] in {"services", "notifications", "cobuilding", "core"}]
    assert names
    for name in names:
        assert app.tasks[name].acks_late, name


def test_the_drain_runs_every_minute(settings):
    schedule = settings.CELERY_BEAT_SCHEDULE["core-drain-outbox"]
    assert schedule["task"] == "core.tasks.drain_outbox"
    assert schedule["schedule"].minute == set(range(60))
