"""Time POST /api/v1/tickets/ while the Celery broker is unreachable (Redis stopped), and say what was queued.

    .venv/bin/python -m bench.fault_broker_down            # broker at a closed port, a SQLite file of its own
    .venv/bin/python -m bench.fault_broker_down --runs 5 --broker redis://127.0.0.1:6390/0

Before the outbox, each POST answered 500 after the publish retries gave up (about 19 s in the issue's deployment)
although the ticket had been committed. Now the row is written in the ticket's transaction, the on-commit publish
gives up after about a second, and the ticket is answered 201; the outbox rows stay pending until the beat drain
finds the broker back. Unlike the other benchmarks this one runs on SQLite (it measures the broker, not the DB).
"""

import argparse
import os
import statistics
import sys
import tempfile
import time


def _configure(broker: str) -> None:
    os.environ["REDIS_URL"] = broker
    os.environ["CELERY_TASK_ALWAYS_EAGER"] = "false"
    os.environ.setdefault("DATABASE_URL", f"sqlite:///{tempfile.mkdtemp()}/fault_broker_down.sqlite3")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    # The cache shares the dead Redis: sessions are in the database, so the API path does not need it.
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", verbosity=0)


def _world():
    from accounts.models import Role
    from orgs.rules import Level
    from tests.accounts.factories import UserFactory
    from tests.orgs.factories import OrganizationFactory
    from tests.services.factories import ServiceItemFactory, WebhookSubscriptionFactory

    street = OrganizationFactory(level=Level.STREET)
    community = OrganizationFactory(level=Level.COMMUNITY, parent=street)
    WebhookSubscriptionFactory(organization=street)  # so every ticket has a delivery to queue
    staff = UserFactory(role=Role.STAFF, scope=street, email="staff@example.org")
    payload = {
        "service_item": ServiceItemFactory().pk,
        "community": community.pk,
        "description": "楼道灯不亮",
        "reporter_name": "李四",
        "reporter_phone": "13912345678",
    }
    return staff, payload


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--broker", default="redis://127.0.0.1:6390/0", help="an unreachable broker URL")
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    _configure(args.broker)
    from rest_framework.test import APIClient

    staff, payload = _world()
    client = APIClient(raise_request_exception=False)
    client.force_authenticate(staff)
    timings, codes = [], []
    for _ in range(args.runs):
        start = time.perf_counter()
        response = client.post("/api/v1/tickets/", payload, format="json")
        timings.append(time.perf_counter() - start)
        codes.append(response.status_code)
    from services.models import Ticket, WebhookDelivery

    print(f"broker {args.broker} (unreachable), {args.runs} POST /api/v1/tickets/")
    print(f"status codes: {codes}")
    each = [round(t, 2) for t in timings]
    print(f"seconds: median {statistics.median(timings):.2f}, max {max(timings):.2f}, each {each}")
    print(f"tickets committed: {Ticket.objects.count()}, webhook deliveries pending: {WebhookDelivery.objects.count()}")
    try:
        from core.models import OutboxMessage
    except ImportError:
        print("no outbox")
    else:
        print(f"outbox rows pending: {OutboxMessage.objects.filter(sent_at__isnull=True).count()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
