"""The community services family against hand-written SQL (micro-wishes by month, housekeeper projects now, point
orders from the tickets' counters), and its incremental refresh against a full rebuild."""

import datetime
import random

import pytest
from django.utils import timezone

from core.figures import add_months, all_figures, month_start
from dashboards.refresh import refresh_dashboards
from dashboards.selectors import node_counters
from residents.models import Resident
from services.models import Channel, MicroWish, ProjectKind, ProjectRating, WishStatus
from tests.dashboards.test_families import in_subtree, month_bounds, sql_one
from tests.dashboards.test_refresh import age_refresh_state, facts
from tests.dashboards.world import build_world
from tests.services.factories import HousekeeperProjectFactory, MicroWishFactory

pytestmark = pytest.mark.django_db


def add_wishes(rng: random.Random, world, count: int) -> None:
    residents = list(Resident.objects.all())
    for _ in range(count):
        wish = MicroWishFactory(resident=rng.choice(residents))
        posted = timezone.now() - datetime.timedelta(days=rng.randint(0, 400))
        status = rng.choice(WishStatus.values)
        claimed = posted + datetime.timedelta(days=2) if status != WishStatus.POSTED else None
        fulfilled = min(posted + datetime.timedelta(days=20), timezone.now()) if status in ("fulfilled", "confirmed") \
            else None
        MicroWish.objects.filter(pk=wish.pk).update(posted_at=posted, status=status, claimed_at=claimed,
                                                    fulfilled_at=fulfilled)  # fmt: skip
    for community in world.communities:
        for _ in range(rng.randint(2, 5)):
            HousekeeperProjectFactory(community=community, kind=rng.choice(ProjectKind.values),
                                      rating=rng.choice(["", *ProjectRating.values]))  # fmt: skip


def test_community_service_figures_equal_hand_written_sql():
    world = build_world(seed=51, tickets=60)
    add_wishes(random.Random(51), world, 40)
    refresh_dashboards(full=True)
    where, params = in_subtree(world.street)
    this_month = month_start(timezone.localdate())
    fulfilled_total = 0
    for month in [add_months(this_month, -n) for n in range(14)]:
        counters = node_counters(world.street, [month])[month]
        b = month_bounds(month)
        wishes = f"SELECT COUNT(*) FROM services_microwish t WHERE {where}"
        expected = {
            "community.wishes_posted": sql_one(f"{wishes} AND t.posted_at >= %s AND t.posted_at < %s", [*params, *b]),
            "community.wishes_claimed": sql_one(f"{wishes} AND t.claimed_at >= %s AND t.claimed_at < %s",
                                                [*params, *b]),
            "community.wishes_fulfilled": sql_one(
                f"{wishes} AND t.status IN ('fulfilled', 'confirmed') AND t.fulfilled_at >= %s AND t.fulfilled_at < %s",
                [*params, *b]),
        }  # fmt: skip
        assert {key: counters.get(key, 0) for key in expected} == expected, month
        point_orders = sql_one(
            f"SELECT COUNT(*) FROM services_ticket t WHERE {where} AND t.channel = %s "
            "AND t.created_at >= %s AND t.created_at < %s", [*params, Channel.POINT_ORDER, *b])  # fmt: skip
        assert all_figures()["community.point_orders"].value(counters) == point_orders
        fulfilled_total += expected["community.wishes_fulfilled"]
    assert fulfilled_total > 0
    now = node_counters(world.street, [this_month])[this_month]
    projects = f"SELECT COUNT(*) FROM services_housekeeperproject t WHERE {where}"
    for kind in ProjectKind.values:
        assert now.get(f"community.projects_{kind}", 0) == sql_one(f"{projects} AND t.kind = %s", [*params, kind])
    for rating in ProjectRating.values:
        assert now.get(f"community.projects_rated_{rating}", 0) == sql_one(f"{projects} AND t.rating = %s",
                                                                          [*params, rating])  # fmt: skip


def test_incremental_refresh_of_community_services_equals_a_full_rebuild():
    rng = random.Random(52)
    world = build_world(seed=52, tickets=10)
    add_wishes(rng, world, 20)
    refresh_dashboards(full=True)
    age_refresh_state()
    wish = MicroWish.objects.filter(status=WishStatus.POSTED).first()
    wish.status, wish.claimed_at = WishStatus.CLAIMED, timezone.now()
    wish.save()
    MicroWishFactory(resident=rng.choice(list(Resident.objects.all())))
    HousekeeperProjectFactory(community=world.communities[1], rating=ProjectRating.EXEMPLARY)
    result = refresh_dashboards()
    assert not result.full and result.leaves > 0
    incremental = facts()
    refresh_dashboards(full=True)
    assert incremental == facts()
