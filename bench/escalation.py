"""Time the SLA sweep on N open overdue tickets beside one plain SQL UPDATE of the same rows.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tickets .venv/bin/python -m bench.escalation --tickets 1000000

Seeds N open tickets at the community level, all past their level deadline (bench/ticket_seed.py, keyed by the
organization code BENCH-ESC-<N>; reused on later runs). Each run puts them back at the community, overdue, then
times either `escalate_overdue_tickets()` (locking SELECT, one UPDATE per rung, the escalation events, the
notifications of the street staff) or a hand-written UPDATE moving the same rows one rung up with the same columns;
the two alternate, after one warm-up run of each, and the medians are printed with their ratio (target ≤ 2×).
At the end the tickets are parked (deadline far in the future) so other seeds' sweeps leave them alone.
PostgreSQL only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import django

TARGET_RATIO = 2.0

PLAIN_UPDATE = """
UPDATE services_ticket t SET handling_level = 'street', handling_org_id = o.parent_id,
    escalation_count = t.escalation_count + 1, card = 'red', level_started_at = %(now)s, level_due_at = %(due)s,
    warn_at = %(warn)s
FROM orgs_organization o
WHERE o.id = t.community_id
    AND t.status IN ('reported', 'accepted', 'dispatched', 'in_progress', 'returned', 'reopened')
    AND t.level_due_at <= %(now)s AND NOT t.flagged_for_district
"""


def _reset(communities: list[int], *, overdue: bool) -> None:
    """Put the seed's tickets back at the community level, overdue, or parked: deadline and warning 20 years ahead,
    so that no sweep over another seed touches them. Drops the previous run's events."""
    from django.db import connection, transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM services_ticketevent e USING services_ticket t WHERE e.ticket_id = t.id"
            " AND t.community_id = ANY(%s) AND e.kind IN ('escalated', 'yellow_card', 'flagged_for_district')",
            [communities],
        )
        cursor.execute(
            "UPDATE services_ticket SET handling_level = 'community', handling_org_id = community_id,"
            " escalation_count = 0, card = '', flagged_for_district = false,"
            " level_due_at = now() + CASE WHEN %(overdue)s THEN interval '-1 hour' ELSE interval '20 years' END,"
            " warn_at = now() + CASE WHEN %(overdue)s THEN interval '-2 days' ELSE interval '20 years' END"
            " WHERE community_id = ANY(%(communities)s)",
            {"overdue": overdue, "communities": communities},
        )
        cursor.execute("DELETE FROM notifications_notification WHERE kind = 'ticket_escalated'")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE services_ticket, services_ticketevent")


def _time_plain(now) -> tuple[float, int]:
    from django.db import connection, transaction

    from services.tickets.calendar import add_working_hours

    started = time.perf_counter()
    due = add_working_hours(now, 24)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(PLAIN_UPDATE, {"now": now, "due": due, "warn": now + (due - now) * 0.75})
        rows = cursor.rowcount
    return time.perf_counter() - started, rows


def _time_sweep(now) -> tuple[float, int]:
    from services.tickets.escalation import escalate_overdue_tickets

    started = time.perf_counter()
    result = escalate_overdue_tickets(now=now)
    return time.perf_counter() - started, result.escalated


def _ensure_staff(city) -> None:
    """One staff user per street and one at the district: the sweep notifies them (one row per ticket each)."""
    from accounts.models import Role, User
    from orgs.models import Organization

    for org in Organization.objects.filter(tree_id=city.tree_id, level__in=["street", "district"]):
        User.objects.get_or_create(
            username=f"bench-staff-{org.code}"[:150], defaults={"role": Role.STAFF, "scope": org}
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="open overdue tickets (up to 1,000,000)")
    parser.add_argument("--runs", type=int, default=3, help="timed runs of each side, after one warm-up")
    parser.add_argument("--warmup", type=int, default=1, help="untimed runs of each side first")
    parser.add_argument("--staff", action="store_true", help="also notify a staff user per street and the district")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.utils import timezone

    from bench.ticket_seed import community_ids, refuse_sqlite, seed

    refuse_sqlite()
    city = seed("esc", args.tickets)
    communities = community_ids(city)
    if args.staff:
        _ensure_staff(city)
    timings: dict[str, list[float]] = {"sweep": [], "plain": []}
    try:
        for run in range(1 - args.warmup, args.runs + 1):
            for side, timer in (("plain", _time_plain), ("sweep", _time_sweep)):
                _reset(communities, overdue=True)
                seconds, rows = timer(timezone.now())
                if rows != args.tickets:
                    print(f"{side}: moved {rows} tickets, expected {args.tickets}", file=sys.stderr)
                    return 1
                label = "warm-up" if run <= 0 else f"run {run}"
                print(f"{label:8} {side:5} {seconds * 1000:10.0f} ms  ({rows} tickets)")
                if run > 0:
                    timings[side].append(seconds)
    finally:
        _reset(communities, overdue=False)
    sweep, plain = statistics.median(timings["sweep"]), statistics.median(timings["plain"])
    ratio = sweep / plain
    print(
        f"\n{args.tickets} tickets: sweep {sweep * 1000:.0f} ms, plain UPDATE {plain * 1000:.0f} ms,"
        f" ratio {ratio:.2f} (target ≤ {TARGET_RATIO})"
    )
    return 0 if ratio <= TARGET_RATIO else 2


if __name__ == "__main__":
    sys.exit(main())
