"""Time the city-wide coverage rollup beside hand-written SQL of the same figures, at a given city size.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench .venv/bin/python -m bench.coverage --residents 1000000

Seeds the city on first use (bench/seed.py, keyed by the organization code BENCH-CITY-<N>), then runs each side
`--runs` times (in alternation, after one warm-up run) and prints the medians and their ratio. Exits non-zero when
the two sides disagree on any figure. PostgreSQL only: the figures worth timing are the production database's.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time

import django

TARGET_RATIO = 1.5
TARGET_MS_AT_1M = 300

# Hand-written SQL of the same figures, one statement per family as an SQL author would write it.
_SCOPE = """
    JOIN grids_building b ON b.id = h.building_id JOIN grids_grid g ON g.id = b.grid_id
    JOIN orgs_organization o ON o.id = g.community_id
    WHERE o.tree_id = %(tree_id)s AND o.lft BETWEEN %(lft)s AND %(rght)s"""
_CURRENT = "r.status IN ('registered', 'floating')"
RAW_SQL = [
    """SELECT count(*), count(*) FILTER (WHERE NOT EXISTS (SELECT 1 FROM grids_household x WHERE x.building_id = b.id))
    FROM grids_building b JOIN grids_grid g ON g.id = b.grid_id JOIN orgs_organization o ON o.id = g.community_id
    WHERE o.tree_id = %(tree_id)s AND o.lft BETWEEN %(lft)s AND %(rght)s""",
    f"SELECT count(*) FROM grids_household h {_SCOPE}",
    f"""SELECT count(*), count(*) FILTER (WHERE h.id NOT IN (
        SELECT household_id FROM grids_visit WHERE visited_on BETWEEN %(since)s AND %(today)s))
    FROM grids_household h {_SCOPE} AND h.id IN (
        SELECT r.household_id FROM residents_resident r JOIN residents_resident_tags rt ON rt.resident_id = r.id
        JOIN residents_caretag t ON t.id = rt.caretag_id WHERE t.needs_care_visits AND {_CURRENT})""",
    f"""SELECT count(*) FROM grids_household h {_SCOPE}
    AND h.id IN (SELECT household_id FROM grids_visit WHERE visited_on BETWEEN %(month_start)s AND %(today)s)""",
    f"""SELECT count(*) FROM grids_household h {_SCOPE}
    AND EXISTS (SELECT 1 FROM residents_resident r WHERE r.household_id = h.id AND {_CURRENT})""",
    f"""SELECT count(*), count(*) FILTER (WHERE r.id_number = ''), count(*) FILTER (WHERE r.phone = '')
    FROM residents_resident r JOIN grids_household h ON h.id = r.household_id {_SCOPE} AND {_CURRENT}""",
]

FIGURES = (
    "buildings", "buildings_without_households", "households", "households_without_residents", "residents",
    "residents_missing_id", "residents_missing_phone", "care_households", "care_households_unvisited",
    "households_visited_this_month",
)  # fmt: skip


def raw_figures(city, today) -> dict:
    import datetime

    from django.db import connection

    params = {
        "tree_id": city.tree_id, "lft": city.lft, "rght": city.rght, "today": today,
        "since": today - datetime.timedelta(days=_care_visit_days()), "month_start": today.replace(day=1),
    }  # fmt: skip
    values = []
    with connection.cursor() as cursor:
        for sql in RAW_SQL:
            cursor.execute(sql, params)
            values.extend(cursor.fetchone())
    (buildings, empty_buildings, households, care, care_unvisited, visited, occupied, residents, no_id, no_phone) = (
        values
    )
    return dict(zip(FIGURES, (buildings, empty_buildings, households, households - occupied, residents, no_id, no_phone,
                              care, care_unvisited, visited), strict=True))  # fmt: skip


def _care_visit_days() -> int:
    from residents.coverage import care_visit_days

    return care_visit_days()


def timed_side_by_side(first, second, runs: int) -> tuple[float, float, object, object]:
    """Median milliseconds of each function, run in alternation so that both see the same load on the machine."""
    results = [first(), second()]  # warm-up: caches, plans
    samples: list[list[float]] = [[], []]
    for _ in range(runs):
        for index, function in enumerate((first, second)):
            started = time.perf_counter()
            results[index] = function()
            samples[index].append((time.perf_counter() - started) * 1000)
    return statistics.median(samples[0]), statistics.median(samples[1]), results[0], results[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--residents", type=int, default=100_000, help="city size (default 100000)")
    parser.add_argument("--runs", type=int, default=7, help="timed runs per side; the median is reported")
    args = parser.parse_args(argv)

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    django.setup()
    from django.db import connection
    from django.utils import timezone

    from bench.seed import seed_city
    from residents.coverage import coverage_report

    if connection.vendor != "postgresql":
        print(
            "基准测试只在 PostgreSQL 上运行：请设置 DATABASE_URL=postgres://...（当前数据库："
            f"{connection.vendor}）。\nThe benchmark runs on PostgreSQL only: set DATABASE_URL=postgres://...",
            file=sys.stderr,
        )
        return 2

    city = seed_city(args.residents)
    today = timezone.localdate()
    orm_ms, raw_ms, report, raw = timed_side_by_side(
        lambda: coverage_report(node=city, today=today), lambda: raw_figures(city, today), args.runs
    )
    orm = {name: getattr(report, name) for name in FIGURES}

    ratio = orm_ms / raw_ms
    print(f"city {city.code}: {report.residents:,} current residents, {report.households:,} households")
    print(f"coverage_report(node=city): {orm_ms:8.1f} ms (median of {args.runs})")
    print(f"raw SQL, same figures:      {raw_ms:8.1f} ms (median of {args.runs})")
    print(f"ratio:                      {ratio:8.2f} (target <= {TARGET_RATIO})")
    if args.residents >= 1_000_000:
        verdict = "met" if orm_ms <= TARGET_MS_AT_1M else "NOT met"
        print(f"target at 1M residents: rollup <= {TARGET_MS_AT_1M} ms -> {verdict}")
    if orm != raw:
        differing = {name: (orm[name], raw[name]) for name in FIGURES if orm[name] != raw[name]}
        print(f"FIGURES DIFFER (rollup, raw): {differing}", file=sys.stderr)
        return 1
    print("figures equal: " + ", ".join(f"{name}={value:,}" for name, value in orm.items()))
    return 0


if __name__ == "__main__":
    sys.exit(main())
