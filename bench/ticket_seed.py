"""Seed (or reuse) N service tickets in a synthetic city with bulk SQL, for the escalation and statistics benchmarks.

Two kinds of seed, each keyed by the organization code of its city so a second run at the same size reuses it:
- "esc": N open tickets at the community level, all past their level deadline (what the sweep has to escalate);
- "stats": a year of N tickets in every state, with deadlines met and missed, cards, ratings and resident units.

One district, 8 communities a street, one community for every 2,000 tickets (at least 8), a resident unit for
every 5,000 tickets. Everything is INSERT ... SELECT generate_series in one transaction, then VACUUM ANALYZE.
The "stats" tickets' level deadlines and warnings lie 20 years ahead, so an escalation sweep never touches them.
"""

from __future__ import annotations

import time

from django.db import connection, transaction

from orgs.models import Organization

COMMUNITIES_PER_STREET = 8
TICKETS_PER_COMMUNITY = 2000
TICKETS_PER_UNIT = 5000
OPEN = ("reported", "accepted", "dispatched", "in_progress", "returned", "reopened")


def city_code(kind: str, n: int) -> str:
    return f"BENCH-{kind.upper()}-{n}"


def refuse_sqlite() -> None:
    if connection.vendor != "postgresql":
        raise SystemExit(
            "This benchmark runs on PostgreSQL only (the figures worth timing are the production database's).\n"
            "  createdb -h 127.0.0.1 -U postgres bench_tickets\n"
            "  DATABASE_URL=postgres://postgres@127.0.0.1:5432/bench_tickets .venv/bin/python manage.py migrate"
        )


def community_ids(city: Organization) -> list[int]:
    return list(
        Organization.objects.filter(tree_id=city.tree_id, level="community").order_by("pk").values_list("pk", flat=True)
    )


def seed(kind: str, n: int, *, log=print) -> Organization:
    """The benchmark city of `kind` with `n` tickets, seeding it first if it is not there yet."""
    city = Organization.objects.filter(code=city_code(kind, n)).first()
    if city is not None:
        log(f"reusing {city.code} (id {city.pk})")
        return city
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cursor:
        city_id, communities = _insert_orgs(cursor, kind, n)
        item_id = _insert_item(cursor, kind, n)
        units = _insert_units(cursor, kind, n, communities)
        (_insert_open_overdue if kind == "esc" else _insert_year)(cursor, n, communities, item_id, units, kind)
    with connection.cursor() as cursor:
        cursor.execute("VACUUM ANALYZE services_ticket, orgs_organization, cobuilding_residentunit")
    log(f"seeded {city_code(kind, n)} in {time.perf_counter() - started:.1f} s ({len(communities)} communities)")
    return Organization.objects.get(pk=city_id)


def _insert_orgs(cursor, kind: str, n: int) -> tuple[int, list[int]]:
    communities = max(COMMUNITIES_PER_STREET, n // TICKETS_PER_COMMUNITY)
    streets = -(-communities // COMMUNITIES_PER_STREET)
    cursor.execute("SELECT coalesce(max(tree_id), 0) + 1 FROM orgs_organization")
    tree_id = cursor.fetchone()[0]
    code = city_code(kind, n)
    counter = iter(range(1, 10**9))
    root = [code, f"基准城市{n}", "district", None, next(counter), 0, 0]
    rows = [root]
    for s in range(streets):
        street = [f"{code}-S{s:03d}", f"街道{s}", "street", code, next(counter), 0, 1]
        rows.append(street)
        for c in range(s * COMMUNITIES_PER_STREET, min((s + 1) * COMMUNITIES_PER_STREET, communities)):
            rows.append([f"{code}-C{c:04d}", f"社区{c}", "community", street[0], next(counter), next(counter), 2])
        street[5] = next(counter)
    root[5] = next(counter)
    ids: dict[str, int] = {}
    for org_code, name, level, parent, lft, rght, depth in rows:
        cursor.execute(
            "INSERT INTO orgs_organization (code, name, level, parent_id, lft, rght, depth, tree_id, phone, address,"
            " is_active, created_at, updated_at) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, '', '', true, now(), now())"
            " RETURNING id",
            [org_code, name, level, ids.get(parent), lft, rght, depth, tree_id],
        )
        ids[org_code] = cursor.fetchone()[0]
    return ids[code], [ids[row[0]] for row in rows if row[2] == "community"]


def _insert_item(cursor, kind: str, n: int) -> int:
    cursor.execute(
        "INSERT INTO services_serviceitem (code, name, category, handling_level, requirements, materials,"
        " response_hours, resolution_hours, can_proxy, is_public, is_active) VALUES (%s, '基准事项', 'other',"
        " 'community', '', '', 4, 40, false, true, true) RETURNING id",
        [city_code(kind, n)[:30]],
    )
    return cursor.fetchone()[0]


def _insert_units(cursor, kind: str, n: int, communities: list[int]) -> list[int]:
    cursor.execute(
        "INSERT INTO cobuilding_residentunit (name, kind, partner_category, contact_person, contact_phone, address,"
        " party_member_count, is_active, registered_with_id)"
        " SELECT %(code)s || '-U' || u, 'enterprise', '', '', '', '', 0, true,"
        " (%(communities)s::bigint[])[(u - 1) %% array_length(%(communities)s::bigint[], 1) + 1]"
        " FROM generate_series(1, %(units)s) u RETURNING id",
        {"code": city_code(kind, n), "communities": communities, "units": max(4, n // TICKETS_PER_UNIT)},
    )
    return sorted(row[0] for row in cursor.fetchall())


_COLUMNS = (
    "reference, channel, priority, status, reporter_name, reporter_phone, address, description, assignee_department,"
    " handling_level, escalation_count, level_started_at, warn_at, level_due_at, flagged_for_district, card,"
    " response_due_at, resolution_due_at, accepted_at, resolved_at, closed_at, rating_token, rating, rating_comment,"
    " rated_at, closed_unrated, created_at, community_id, handling_org_id, service_item_id, assignee_unit_id"
)


def _insert_open_overdue(cursor, n, communities, item_id, units, kind) -> None:
    cursor.execute(
        f"INSERT INTO services_ticket ({_COLUMNS})"
        " SELECT %(code)s || '-' || i, 'hotline', 'normal', (%(open)s::text[])[i %% 6 + 1], '张三', '', '',"
        " '楼道灯坏了', '', 'community', 0, now() - interval '3 days', now() - interval '2 days',"
        " now() - interval '1 hour', false, '', now() - interval '2 days', now() + interval '2 days', NULL, NULL, NULL,"
        " md5(%(code)s || i), NULL, '', NULL, false, now() - interval '3 days', c.id, c.id, %(item)s, NULL"
        " FROM generate_series(1, %(n)s) i"
        " CROSS JOIN LATERAL (SELECT (%(communities)s::bigint[])[(i - 1) %% %(nc)s + 1] AS id) c",
        {"code": city_code(kind, n), "open": list(OPEN), "n": n, "communities": communities,
         "nc": len(communities), "item": item_id},
    )  # fmt: skip


def _insert_year(cursor, n, communities, item_id, units, kind) -> None:
    """A year of tickets: 85 % closed or resolved, the rest open; deadlines missed by one in five; ratings 1-5."""
    cursor.execute(
        f"INSERT INTO services_ticket ({_COLUMNS})"
        " SELECT %(code)s || '-' || i, 'hotline', 'normal', st.status, '张三', '', '', '楼道灯坏了', '',"
        " CASE WHEN i %% 13 = 0 THEN 'street' ELSE 'community' END, CASE WHEN i %% 13 = 0 THEN 1 ELSE 0 END,"
        " t0, t0 + interval '20 years', t0 + interval '20 years', false,"
        " CASE WHEN i %% 11 = 0 THEN 'yellow' WHEN i %% 13 = 0 THEN 'red' ELSE '' END,"
        " t0 + interval '4 hours', t0 + interval '5 days', t0 + interval '2 hours' + (i %% 7) * interval '1 hour',"
        " CASE WHEN st.status IN ('resolved', 'closed') THEN t0 + CASE WHEN i %% 5 = 0 THEN interval '7 days'"
        " ELSE interval '3 days' END END,"
        " CASE WHEN st.status = 'closed' THEN t0 + interval '8 days' END,"
        " md5(%(code)s || i), CASE WHEN st.status = 'closed' AND i %% 4 <> 0 THEN i %% 5 + 1 END, '',"
        " CASE WHEN st.status = 'closed' AND i %% 4 <> 0 THEN t0 + interval '8 days' END, false, t0,"
        " c.id, c.id, %(item)s,"
        " CASE WHEN i %% 3 = 0 THEN (%(units)s::bigint[])[(i / 3) %% %(nu)s + 1] END"
        " FROM generate_series(1, %(n)s) i"
        " CROSS JOIN LATERAL (SELECT (%(communities)s::bigint[])[(i - 1) %% %(nc)s + 1] AS id,"
        "   now() - (i %% 365) * interval '1 day' - interval '10 days' AS t0) c"
        " CROSS JOIN LATERAL (SELECT CASE WHEN i %% 20 < 14 THEN 'closed' WHEN i %% 20 < 17 THEN 'resolved'"
        "   ELSE (%(open)s::text[])[i %% 6 + 1] END AS status) st",
        {"code": city_code(kind, n), "open": list(OPEN), "n": n, "communities": communities,
         "nc": len(communities), "item": item_id, "units": units, "nu": len(units)},
    )  # fmt: skip
