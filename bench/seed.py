"""Seed (or reuse) a synthetic city of N residents with bulk SQL, for the benchmarks.

The city is keyed by the organization code BENCH-CITY-<N>: a second run at the same scale reuses it. Everything is
written with INSERT ... SELECT generate_series in one transaction, so a million residents take well under a minute
and an interrupted seed leaves nothing behind to be mistaken for a finished city.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass

from django.db import connection, transaction

from orgs.models import Organization

HOUSEHOLD_SIZE = 2.5
HOUSEHOLDS_PER_BUILDING = 24
BUILDINGS_PER_GRID = 20
GRIDS_PER_COMMUNITY = 10
COMMUNITIES_PER_STREET = 8
VISIT_DAYS = 90


@dataclass(frozen=True)
class CityShape:
    residents: int

    @property
    def households(self) -> int:
        return max(2, round(self.residents / HOUSEHOLD_SIZE))

    @property
    def empty_households(self) -> int:
        return max(1, self.households // 50)

    @property
    def occupied_buildings(self) -> int:
        return math.ceil(self.households / HOUSEHOLDS_PER_BUILDING)

    @property
    def buildings(self) -> int:
        return self.occupied_buildings + max(1, self.occupied_buildings // 200)

    @property
    def grids(self) -> int:
        return math.ceil(self.buildings / BUILDINGS_PER_GRID)

    @property
    def communities(self) -> int:
        return math.ceil(self.grids / GRIDS_PER_COMMUNITY)

    @property
    def streets(self) -> int:
        return math.ceil(self.communities / COMMUNITIES_PER_STREET)


def city_code(residents: int) -> str:
    return f"BENCH-CITY-{residents}"


def seed_city(residents: int, *, log=print) -> Organization:
    """Return the benchmark city of `residents` residents, seeding it first if it is not there yet."""
    city = Organization.objects.filter(code=city_code(residents)).first()
    if city is not None:
        log(f"reusing {city.code} (id {city.pk})")
        return city
    shape = CityShape(residents)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        city_id, community_ids = _insert_orgs(cursor, shape)
        grid_ids = _insert_grids(cursor, shape, community_ids)
        _insert_rows(cursor, shape, grid_ids)
    with connection.cursor() as cursor:
        # Fresh statistics and visibility map, as a live database would have: the planner needs both.
        cursor.execute("VACUUM ANALYZE grids_building, grids_household, grids_visit, residents_resident,"
                       " residents_resident_tags, grids_grid, orgs_organization")  # fmt: skip
    log(f"seeded {city_code(residents)} in {time.perf_counter() - started:.1f} s: {shape}")
    return Organization.objects.get(pk=city_id)


def _insert_orgs(cursor, shape: CityShape) -> tuple[int, list[int]]:
    n = shape.residents
    cursor.execute("SELECT coalesce(max(tree_id), 0) + 1 FROM orgs_organization")
    tree_id = cursor.fetchone()[0]
    rows = []  # (code, name, level, parent_code, lft, rght, depth)
    counter = iter(range(1, 10**9))
    root = [city_code(n), f"基准城市{n}", "district", None, next(counter), 0, 0]
    rows.append(root)
    for s in range(shape.streets):
        street = [f"BENCH-{n}-S{s:03d}", f"街道{s}", "street", root[0], next(counter), 0, 1]
        rows.append(street)
        for c in range(s * COMMUNITIES_PER_STREET, min((s + 1) * COMMUNITIES_PER_STREET, shape.communities)):
            rows.append([f"BENCH-{n}-C{c:04d}", f"社区{c}", "community", street[0], next(counter), next(counter), 2])
        street[5] = next(counter)
    root[5] = next(counter)
    ids: dict[str, int] = {}
    for code, name, level, parent, lft, rght, depth in rows:
        cursor.execute(
            "INSERT INTO orgs_organization (code, name, level, parent_id, lft, rght, depth, tree_id, phone, address,"
            " is_active, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', '', true, now(), now())"
            " RETURNING id",
            [code, name, level, ids.get(parent), lft, rght, depth, tree_id],
        )
        ids[code] = cursor.fetchone()[0]
    return ids[root[0]], [ids[row[0]] for row in rows if row[2] == "community"]


def _insert_grids(cursor, shape: CityShape, community_ids: list[int]) -> list[int]:
    cursor.execute(
        "INSERT INTO grids_grid (code, name, grid_level, community_id, lft, rght, level, tree_id, boundary, is_active)"
        " SELECT %(prefix)s || g, '网格' || g, 3, (%(communities)s::bigint[])[(g - 1) / %(per)s + 1], 1, 2, 0,"
        " (SELECT coalesce(max(tree_id), 0) FROM grids_grid) + g, '', true"
        " FROM generate_series(1, %(grids)s) g ORDER BY g RETURNING id",
        {"prefix": f"BENCH-{shape.residents}-G", "communities": community_ids, "per": GRIDS_PER_COMMUNITY,
         "grids": shape.grids},
    )  # fmt: skip
    return sorted(row[0] for row in cursor.fetchall())


def _insert_rows(cursor, shape: CityShape, grid_ids: list[int]) -> None:
    params = {
        "n": shape.residents, "grids": grid_ids, "bpg": BUILDINGS_PER_GRID, "buildings": shape.buildings,
        "hpb": HOUSEHOLDS_PER_BUILDING, "households": shape.households,
        "occupied": shape.households - shape.empty_households, "days": VISIT_DAYS,
    }  # fmt: skip
    statements = [
        "INSERT INTO grids_building (grid_id, name, address, kind, updated_at)"
        " SELECT (%(grids)s::bigint[])[(k - 1) %% array_length(%(grids)s::bigint[], 1) + 1], k || '号楼', '',"
        " 'residential', now() FROM generate_series(1, %(buildings)s) k",
        "CREATE TEMP TABLE bench_b ON COMMIT DROP AS SELECT id, row_number() OVER (ORDER BY id) k FROM grids_building"
        " WHERE grid_id = ANY(%(grids)s::bigint[])",
        # Buildings beyond the occupied ones keep no households: the "buildings without households" gap.
        "INSERT INTO grids_household (building_id, unit, room, kind, phone, created_at, updated_at)"
        " SELECT b.id, '', j::text, CASE WHEN j %% 40 = 0 THEN 'renting' ELSE 'registered' END, '', now(), now()"
        " FROM generate_series(1, %(households)s) j JOIN bench_b b ON b.k = (j - 1) / %(hpb)s + 1",
        "CREATE TEMP TABLE bench_h ON COMMIT DROP AS SELECT h.id, row_number() OVER (ORDER BY h.id) k"
        " FROM grids_household h JOIN bench_b b ON b.id = h.building_id",
        "ALTER TABLE bench_h ADD PRIMARY KEY (k)",
        # Households beyond `occupied` keep no residents; moved-out and deceased residents leave a few more empty.
        "INSERT INTO residents_resident (name, name_initials, id_number, gender, phone, relation, status, ethnicity,"
        " political_status, notes, created_at, updated_at, household_id)"
        " SELECT '居民' || i, 'jm', CASE WHEN i %% 50 = 7 THEN '' ELSE lpad(%(n)s::text, 7, '0')"
        " || lpad(i::text, 11, '0') END, 'male',"
        " CASE WHEN i %% 20 = 3 THEN '' ELSE '139' || lpad((i %% 100000000)::text, 8, '0') END, 'other',"
        " CASE WHEN i %% 33 = 0 THEN 'moved_out' WHEN i %% 97 = 1 THEN 'deceased'"
        " WHEN i %% 5 = 0 THEN 'floating' ELSE 'registered' END, '汉族', 'masses', '', now(), now(), h.id"
        " FROM generate_series(1, %(n)s) i JOIN bench_h h ON h.k = (i - 1) %% %(occupied)s + 1",
        "INSERT INTO residents_caretag (code, name, needs_care_visits, sort_order)"
        " VALUES ('bench_no_visits', '基准-无需走访', false, 99) ON CONFLICT (code) DO NOTHING",
        # One resident in 25 carries a care tag; one in 41 a tag that asks for no visits.
        "INSERT INTO residents_resident_tags (resident_id, caretag_id)"
        " SELECT r.id, t.id FROM residents_resident r JOIN bench_h h ON h.id = r.household_id"
        " JOIN (SELECT id, row_number() OVER (ORDER BY id) - 1 AS k FROM residents_caretag WHERE needs_care_visits) t"
        " ON t.k = r.id %% 7 WHERE r.id %% 25 = 0"
        " UNION ALL SELECT r.id, (SELECT id FROM residents_caretag WHERE code = 'bench_no_visits')"
        " FROM residents_resident r JOIN bench_h h ON h.id = r.household_id WHERE r.id %% 41 = 0",
        "INSERT INTO accounts_user (username, password, is_superuser, first_name, last_name, email, is_staff,"
        " is_active, date_joined, role, phone) VALUES ('bench-visitor', '!', false, '', '', '', false, true, now(),"
        " 'grid_worker', '') ON CONFLICT (username) DO NOTHING",
        # Visits over the past 90 days: about 0.6 per household, spread at random.
        "INSERT INTO grids_visit (household_id, visitor_id, visited_on, kind, notes, follow_up_needed, created_at)"
        " SELECT h.id, (SELECT id FROM accounts_user WHERE username = 'bench-visitor'),"
        " current_date - (v * 7919 %% %(days)s), CASE WHEN v %% 3 = 0 THEN 'care' ELSE 'routine' END, '', false, now()"
        " FROM generate_series(1, (%(households)s * 3 / 5)) v"
        " JOIN bench_h h ON h.k = (v::bigint * 104729 %% %(households)s) + 1",
    ]
    for sql in statements:
        cursor.execute(sql, params)
