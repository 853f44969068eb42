"""Ticket lists beside the households list: /api/v1/tickets/, the /tickets/ queue and /api/v1/households/.

In-process (django.test.Client, a logged-in staff user at each city's top), so the figure is the server's own
time — ORM, serializer or template, and PostgreSQL — without a network or a WSGI server's noise; a live server
with concurrent clients would add queueing on this 2-core machine and measure the box, not the code. After a
warm-up request each, `--runs` requests per endpoint alternate round-robin so all see the same load; the medians are
printed with the ratio to the households list and the SQL share. Target: each ticket list ≤ 1.5 × households.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tickets .venv/bin/python -u -m bench.ticket_lists
"""

from __future__ import annotations

import argparse
import os
import statistics
import time

import django

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from accounts.models import Role, User  # noqa: E402
from bench import seed as city_seed  # noqa: E402
from bench import ticket_seed  # noqa: E402

TARGET = 1.5


def bench_user(name: str, scope) -> User:
    user, _ = User.objects.get_or_create(username=name, defaults={"role": Role.STAFF, "scope": scope})
    return user


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the ticket city (stats seed)")
    parser.add_argument("--residents", type=int, default=100_000, help="residents in the households city")
    parser.add_argument("--page-size", type=int, default=50)
    parser.add_argument("--runs", type=int, default=21)
    args = parser.parse_args()
    ticket_seed.refuse_sqlite()
    ticket_city = ticket_seed.seed("stats", args.tickets)
    household_city = city_seed.seed_city(args.residents)
    size = args.page_size
    endpoints = {
        "households": (bench_user("bench-households", household_city), f"/api/v1/households/?page_size={size}"),
        "tickets API": (bench_user("bench-tickets", ticket_city), f"/api/v1/tickets/?page_size={size}"),
        "queue page": (bench_user("bench-tickets", ticket_city), "/tickets/"),
    }
    clients, times, sql = {}, {name: [] for name in endpoints}, {name: [] for name in endpoints}
    for name, (user, url) in endpoints.items():
        clients[name] = Client(HTTP_HOST="localhost")
        clients[name].force_login(user)
        assert clients[name].get(url).status_code == 200, name
    for _ in range(args.runs):
        for name, (_user, url) in endpoints.items():
            spent: list[float] = []

            def timed(execute, *a, spent=spent):
                started = time.perf_counter()
                try:
                    return execute(*a)
                finally:
                    spent.append(time.perf_counter() - started)

            started = time.perf_counter()
            with connection.execute_wrapper(timed):
                response = clients[name].get(url)
            times[name].append(time.perf_counter() - started)
            sql[name].append(sum(spent))
            assert response.status_code == 200, name
    baseline = statistics.median(times["households"])
    print(f"{'endpoint':12s} {'median':>8s} {'of it SQL':>10s} {'ratio':>6s}   (page size {size}, {args.runs} runs)")
    worst = 0.0
    for name in endpoints:
        median = statistics.median(times[name])
        ratio = median / baseline
        worst = max(worst, ratio if name != "households" else 0)
        print(f"{name:12s} {median * 1000:6.0f} ms {statistics.median(sql[name]) * 1000:7.0f} ms {ratio:6.2f}")
    print(f"target: ticket lists ≤ {TARGET} × households — {'met' if worst <= TARGET else 'NOT met'}")
    return 0 if worst <= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main())
