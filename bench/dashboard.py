"""Time the officials' dashboards on a city of 1M residents and 1M tickets, beside the live aggregate of the same
figures, and check that after a refresh the dashboard's figures equal the live computation.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/i12bench .venv/bin/python -u -m bench.dashboard

Seeds on first use (reused afterwards): the resident city of bench/seed.py (BENCH-CITY-<N>), and a year of tickets
spread over its communities and grids (bench/ticket_seed.py's "stats" rows, reference prefix BENCH-DASH-<N>; one
ticket in 50 left without a grid). Then, each figure printed with the load average at the time (a shared machine):

1. a full rebuild of the summary table (refresh_dashboards(full=True));
2. the city's page figures (dashboards.report.dashboard_for, what the page, the API and the xlsx use) beside the
   live aggregate: every family's compute() over all leaves (the same counters, read from the live rows), and the
   existing live endpoints ticket_stats + coverage_report; medians, alternating, and the ratio;
3. a ~100k-resident street's page;
4. the page's query count for a community of 3 grids and of 300 (built in a transaction rolled back);
5. incremental refreshes, each after 1,000 random open tickets were resolved (a status change and its event);
6. after the last refresh: the city's summed facts against the live compute(), every month and metric, and every
   tile of the page against the figure computed from the live counters. Any difference exits 1.

Exits 2 when a target is missed (page ≤ 25 ms and ≥ 100× the live aggregate, street ≤ city, incremental ≤ 2 s,
full ≤ 60 s, same query count). PostgreSQL only.
"""

from __future__ import annotations

import argparse
import math
import os
import random
import statistics
import sys
import time
from collections import defaultdict

import django

TARGET_PAGE_MS = 25
TARGET_SPEEDUP = 100
TARGET_INCREMENTAL_S = 2
TARGET_FULL_S = 60
CHANGED_TICKETS = 1000


def load() -> str:
    return "load {:.1f}/{:.1f}/{:.1f}".format(*os.getloadavg())


def report(line: str) -> None:
    print(f"{line:<78} [{load()}]")


def median_ms(samples: list[float]) -> float:
    return statistics.median(samples) * 1000


# --- seeding -------------------------------------------------------------------------------------------------------


def seed_tickets(city, n: int, *, log=print) -> None:
    """A year of `n` tickets over the city's communities (ticket_seed's "stats" rows), then placed in the grids of
    their community; reused when the first one exists."""
    from django.db import connection, transaction

    from bench import ticket_seed
    from services.models import Ticket

    prefix = ticket_seed.city_code("dash", n)
    if Ticket.objects.filter(reference=f"{prefix}-1").exists():
        log(f"reusing {n:,} tickets {prefix}-*")
        return
    started = time.perf_counter()
    communities = ticket_seed.community_ids(city)
    with transaction.atomic(), connection.cursor() as cursor:
        item_id = ticket_seed._insert_item(cursor, "dash", n)
        units = ticket_seed._insert_units(cursor, "dash", n, communities)
        ticket_seed._insert_year(cursor, n, communities, item_id, units, "dash")
        cursor.execute(
            "UPDATE services_ticket t SET grid_id = g.id FROM (SELECT id, community_id,"
            " row_number() OVER (PARTITION BY community_id ORDER BY id) - 1 AS k,"
            " count(*) OVER (PARTITION BY community_id) AS n FROM grids_grid) g"
            " WHERE t.community_id = g.community_id AND g.k = t.id %% g.n AND t.id %% 50 <> 0"
            " AND t.reference LIKE %s",
            [f"{prefix}-%"],
        )
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE services_ticket")
    log(f"seeded {n:,} tickets in {time.perf_counter() - started:.1f} s")


# --- the live side -------------------------------------------------------------------------------------------------


def live_counters(month) -> dict:
    """{(month, metric): sum} over every leaf, straight from the live rows (the families' compute())."""
    from core.figures import families

    summed: dict = defaultdict(float)
    for family in families():
        for _community, _grid, fact_month, metric, value in family.compute(None, [month]):
            summed[(fact_month, metric)] += value
    return summed


def live_endpoints(city, now) -> tuple:
    from residents.coverage import coverage_report
    from services.tickets.stats import ticket_stats

    return ticket_stats(node=city, now=now), coverage_report(node=city, today=now.date())


# --- measurements --------------------------------------------------------------------------------------------------


def alternate(sides: dict, runs: int) -> dict[str, list[float]]:
    """Seconds of each side per run, alternating after one warm-up run, so every side sees the same load."""
    samples: dict[str, list[float]] = {name: [] for name in sides}
    for run in range(runs + 1):
        for name, function in sides.items():
            started = time.perf_counter()
            function()
            if run:
                samples[name].append(time.perf_counter() - started)
    return samples


def a_street_of_about(city, residents: int):
    from grids.models import Household
    from orgs.models import Organization

    streets = Organization.objects.filter(parent=city).order_by("lft")
    best, best_gap = None, math.inf
    for street in streets:
        households = Household.objects.filter(
            building__grid__community__tree_id=street.tree_id,
            building__grid__community__lft__gte=street.lft,
            building__grid__community__lft__lte=street.rght,
        ).count()
        gap = abs(households * 2.5 - residents)
        if gap < best_gap:
            best, best_gap = street, gap
    return best


def query_counts(city) -> tuple[int, int]:
    """Queries of a community's page with 3 grids, then with 300 (rolled back afterwards)."""
    from django.db import connection, transaction
    from django.test.utils import CaptureQueriesContext

    from dashboards.report import dashboard_for
    from grids.models import Grid
    from orgs.models import Organization

    class Rollback(Exception):
        pass

    counts = []
    try:
        with transaction.atomic():
            street = Organization.objects.filter(parent=city).order_by("lft").first()
            community = Organization.objects.create(
                code="BENCH-QC", name="查询数社区", level="community", parent=street
            )
            for grids in (3, 300):
                while Grid.objects.filter(community=community).count() < grids:
                    number = Grid.objects.filter(community=community).count()
                    Grid.objects.create(code=f"BENCH-QC-{number}", name=f"网格{number}", community=community)
                community.refresh_from_db()
                with CaptureQueriesContext(connection) as queries:
                    board = dashboard_for(community)
                assert len(board.children) == grids
                counts.append(len(queries))
            raise Rollback
    except Rollback:
        pass
    return counts[0], counts[1]


def change_tickets(count: int) -> None:
    """Resolve `count` random open tickets now, each with its event, as the ticket service would."""
    from django.db import transaction
    from django.utils import timezone

    from services.models import Ticket, TicketEvent
    from services.models.tickets import OPEN_STATUSES

    ids = list(Ticket.objects.filter(status__in=OPEN_STATUSES).values_list("pk", flat=True))
    chosen = random.sample(ids, count)
    now = timezone.now()
    with transaction.atomic():
        statuses = dict(Ticket.objects.filter(pk__in=chosen).values_list("pk", "status"))
        Ticket.objects.filter(pk__in=chosen).update(status="resolved", resolved_at=now)
        TicketEvent.objects.bulk_create(
            TicketEvent(ticket_id=pk, kind="resolved", from_status=statuses[pk], to_status="resolved") for pk in chosen
        )


# --- the check -----------------------------------------------------------------------------------------------------


def differences(city, month) -> list[str]:
    """Where the dashboard disagrees with the live computation: summed facts per (month, metric), then every tile."""
    from core.figures import families
    from dashboards import selectors
    from dashboards.models import LeafMonthFact
    from dashboards.report import dashboard_for

    live = live_counters(month)
    months = sorted(set(LeafMonthFact.objects.values_list("month", flat=True).distinct()) | {m for m, _ in live})
    stored = selectors.node_counters(city, months)
    found = []
    for key in set(live) | {(m, metric) for m, counters in stored.items() for metric in counters}:
        ours, theirs = stored.get(key[0], {}).get(key[1], 0.0), live.get(key, 0.0)
        if not math.isclose(ours, theirs, rel_tol=1e-9, abs_tol=1e-9):  # exact for counts; hour sums are floats
            found.append(f"{key[0]:%Y-%m} {key[1]}: dashboard {ours} live {theirs}")
    board = dashboard_for(city, month)
    now_counters = {metric: value for (m, metric), value in live.items() if m == month}
    for family in families():
        for figure in family.figures:
            ours = next(t.value for r in board.families for t in r.tiles if t.figure.key == figure.key)
            theirs = figure.value(now_counters)
            if (ours is None) != (theirs is None) or (ours is not None and not math.isclose(ours, theirs)):
                found.append(f"tile {figure.key}: dashboard {ours} live {theirs}")
    return found


# --- main ----------------------------------------------------------------------------------------------------------


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=1_000_000)
    parser.add_argument("--tickets", type=int, default=1_000_000)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of each side of the page timing")
    parser.add_argument("--refreshes", type=int, default=3, help="incremental refreshes timed")
    parser.add_argument("--full-runs", type=int, default=1, help="full rebuilds timed")
    parser.add_argument("--skip-endpoints", action="store_true", help="leave out ticket_stats + coverage_report")
    args = parser.parse_args(argv)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.utils import timezone

    from bench.seed import seed_city
    from bench.ticket_seed import refuse_sqlite
    from dashboards.refresh import refresh_dashboards
    from dashboards.report import current_month, dashboard_for

    refuse_sqlite()
    city = seed_city(args.residents)
    seed_tickets(city, args.tickets)
    month = current_month()
    missed = []

    full = []
    for _ in range(args.full_runs):
        started = time.perf_counter()
        result = refresh_dashboards(full=True)
        full.append(time.perf_counter() - started)
        report(f"full rebuild: {full[-1]:.1f} s ({result.facts:,} facts)")
    if max(full) > TARGET_FULL_S:
        missed.append("full rebuild")

    now = timezone.now()
    sides = {"page": lambda: dashboard_for(city, month), "live": lambda: live_counters(month)}
    if not args.skip_endpoints:
        sides["endpoints"] = lambda: live_endpoints(city, now)
    samples = alternate(sides, args.runs)
    page_ms, live_ms = median_ms(samples["page"]), median_ms(samples["live"])
    report(f"city page figures (dashboard_for): {page_ms:.1f} ms (median of {args.runs})")
    report(f"live aggregate (families' compute() over all leaves): {live_ms:.0f} ms -> {live_ms / page_ms:.0f}x")
    if "endpoints" in samples:
        endpoints_ms = median_ms(samples["endpoints"])
        report(f"live endpoints (ticket_stats + coverage_report): {endpoints_ms:.0f} ms -> "
               f"{endpoints_ms / page_ms:.0f}x")  # fmt: skip
    if page_ms > TARGET_PAGE_MS or live_ms / page_ms < TARGET_SPEEDUP:
        missed.append("city page")

    street = a_street_of_about(city, 100_000)
    street_samples = alternate({"street": lambda: dashboard_for(street, month), "city": sides["page"]}, args.runs)
    street_ms, city_ms = median_ms(street_samples["street"]), median_ms(street_samples["city"])
    report(f"street {street.name} page: {street_ms:.1f} ms, city page beside it {city_ms:.1f} ms")
    if street_ms > city_ms * 1.1:  # 10 % for the noise of a shared machine
        missed.append("street page")

    few, many = query_counts(city)
    report(f"page queries: {few} with 3 children, {many} with 300")
    if few != many:
        missed.append("query count")

    incremental = []
    for _ in range(args.refreshes):
        change_tickets(CHANGED_TICKETS)
        started = time.perf_counter()
        result = refresh_dashboards()
        incremental.append(time.perf_counter() - started)
        report(f"incremental refresh after {CHANGED_TICKETS:,} changed tickets: {incremental[-1]:.2f} s "
               f"({result.leaves} leaves, {result.facts:,} facts)")  # fmt: skip
    if incremental and statistics.median(incremental) > TARGET_INCREMENTAL_S:
        missed.append("incremental refresh")

    found = differences(city, month)
    if found:
        print("DASHBOARD DIFFERS FROM THE LIVE COMPUTATION:", *found[:40], sep="\n  ", file=sys.stderr)
        return 1
    report("after the refresh: every summed fact and every tile equals the live computation")
    print(f"targets missed: {', '.join(missed)}" if missed else "all targets met")
    return 2 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
