"""Time the city-wide ticket statistics beside hand-written SQL of the same figures, at a given number of tickets.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tickets .venv/bin/python -m bench.ticket_stats \
        --tickets 1000000

Seeds a year of N tickets on first use (bench/ticket_seed.py, keyed by the organization code BENCH-STATS-<N>), then
runs each side `--runs` times, alternating after one warm-up run, and prints the medians and their ratio (target
≤ 1.5×). Both sides compute the node's figures, a line per street and the four rankings; the node figures must
agree or it exits 1. PostgreSQL only.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import django

TARGET_RATIO = 1.5

_FIGURES = """
    count(*) AS total,
    count(*) FILTER (WHERE t.status IN ('resolved', 'closed')) AS finished,
    count(*) FILTER (WHERE t.status IN ('resolved', 'closed')
                     AND t.resolution_due_at >= coalesce(t.resolved_at, t.closed_at)) AS on_time,
    count(*) FILTER (WHERE t.status IN %(open)s) AS open,
    count(*) FILTER (WHERE t.status IN %(open)s AND t.resolution_due_at < %(now)s) AS overdue,
    count(*) FILTER (WHERE t.card = 'yellow') AS yellow_cards,
    count(*) FILTER (WHERE t.card = 'red') AS red_cards,
    avg(t.accepted_at - t.created_at) AS avg_accept,
    avg(t.resolved_at - t.created_at) AS avg_resolve,
    avg(t.rating) AS satisfaction,
    count(t.rating) AS rated,
    coalesce(sum(t.escalation_count), 0) AS escalations,
    count(*) FILTER (WHERE t.escalation_count > 0) AS escalated_tickets,
    count(*) FILTER (WHERE t.status = 'closed') AS closed,
    count(*) FILTER (WHERE t.status = 'resolved') AS resolved
"""
_SUBTREE = """
    FROM services_ticket t JOIN orgs_organization c ON c.id = t.community_id
    WHERE c.tree_id = %(tree_id)s AND c.lft >= %(lft)s AND c.rght <= %(rght)s"""
RAW_NODE = f"SELECT {_FIGURES} {_SUBTREE}"
RAW_CHILDREN = f"""
    SELECT ch.id, {_FIGURES}
    FROM services_ticket t JOIN orgs_organization c ON c.id = t.community_id
    JOIN orgs_organization ch ON ch.parent_id = %(id)s AND c.tree_id = ch.tree_id AND c.lft BETWEEN ch.lft AND ch.rght
    WHERE c.tree_id = %(tree_id)s AND c.lft >= %(lft)s AND c.rght <= %(rght)s
    GROUP BY ch.id ORDER BY ch.id"""
_RANK = """
    SELECT t.{key}, n.name, count(*) FILTER (WHERE t.status IN ('resolved', 'closed')) AS finished,
        (count(*) FILTER (WHERE t.status IN ('resolved', 'closed')
                          AND t.resolution_due_at >= coalesce(t.resolved_at, t.closed_at)))::float
        / nullif(count(*) FILTER (WHERE t.status IN ('resolved', 'closed')), 0) AS on_time_rate,
        avg(t.rating) AS satisfaction, count(t.rating) AS rated
    FROM services_ticket t JOIN orgs_organization c ON c.id = t.community_id JOIN {table} n ON n.id = t.{key}
    WHERE c.tree_id = %(tree_id)s AND c.lft >= %(lft)s AND c.rght <= %(rght)s
    GROUP BY t.{key}, n.name HAVING {order} IS NOT NULL ORDER BY {order} DESC, t.{key} LIMIT 10"""
RAW_RANKINGS = [
    _RANK.format(key=key, table=table, order=order)
    for key, table in (("community_id", "orgs_organization"), ("assignee_unit_id", "cobuilding_residentunit"))
    for order in ("5", "6")  # on-time rate, satisfaction (positions in the select list)
]
CHECKED = ("total", "finished", "on_time", "open", "overdue", "yellow_cards", "red_cards", "rated", "escalations")


def raw_stats(city, now) -> dict:
    from django.db import connection

    from services.models.tickets import OPEN_STATUSES

    params = {"tree_id": city.tree_id, "lft": city.lft, "rght": city.rght, "id": city.pk, "now": now,
              "open": tuple(OPEN_STATUSES)}  # fmt: skip
    with connection.cursor() as cursor:
        cursor.execute(RAW_NODE, params)
        names = [col.name for col in cursor.description]
        node = dict(zip(names, cursor.fetchone(), strict=True))
        cursor.execute(RAW_CHILDREN, params)
        children = cursor.fetchall()
        rankings = []
        for sql in RAW_RANKINGS:
            cursor.execute(sql, params)
            rankings.append(cursor.fetchall())
    return {"node": node, "children": children, "rankings": rankings}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tickets", type=int, default=100_000, help="tickets in the city (up to 1,000,000)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs of each side, after one warm-up")
    args = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.utils import timezone

    from bench.ticket_seed import refuse_sqlite, seed
    from services.tickets.stats import ticket_stats

    refuse_sqlite()
    city = seed("stats", args.tickets)
    now = timezone.now()
    timings: dict[str, list[float]] = {"orm": [], "raw": []}
    results = {}
    sides = {"orm": lambda: ticket_stats(node=city, now=now), "raw": lambda: raw_stats(city, now)}
    for run in range(args.runs + 1):
        for side, compute in sides.items():
            started = time.perf_counter()
            results[side] = compute()
            seconds = time.perf_counter() - started
            if run:
                timings[side].append(seconds)
            print(f"{'warm-up' if not run else f'run {run}':8} {side:3} {seconds * 1000:8.0f} ms")
    orm, raw = results["orm"].node, results["raw"]["node"]
    mismatched = [key for key in CHECKED if orm[key] != raw[key]]
    if mismatched or len(results["orm"].children) != len(results["raw"]["children"]):
        print(f"figures differ: {[(k, orm[k], raw[k]) for k in mismatched]}", file=sys.stderr)
        return 1
    orm_ms, raw_ms = statistics.median(timings["orm"]) * 1000, statistics.median(timings["raw"]) * 1000
    ratio = orm_ms / raw_ms
    print(f"\n{orm['total']} tickets in {city.code}: on-time {orm['on_time_rate']}, overdue {orm['overdue_share']},"
          f" satisfaction {orm['satisfaction']}")  # fmt: skip
    print(f"ticket_stats {orm_ms:.0f} ms, raw SQL {raw_ms:.0f} ms, ratio {ratio:.2f} (target ≤ {TARGET_RATIO})")
    return 0 if ratio <= TARGET_RATIO else 2


if __name__ == "__main__":
    sys.exit(main())
