"""The organization family against hand-written SQL: organizations, members, central households and
cross-appointments counted at the community at or above them, or at the street they hang on directly."""

import datetime
import random

import pytest
from django.utils import timezone

from core.figures import month_start
from dashboards.refresh import refresh_dashboards
from dashboards.selectors import children_counters, node_counters
from orgs.models import CrossBody, MemberKind, PartyMember
from orgs.rules import Level
from tests.dashboards.test_families import sql_one
from tests.dashboards.test_refresh import age_refresh_state, facts
from tests.dashboards.world import build_world
from tests.orgs.factories import OrganizationFactory, OrgPositionFactory, PartyMemberFactory

pytestmark = pytest.mark.django_db

IN_SUBTREE = "o.tree_id = %s AND o.lft BETWEEN %s AND %s"


def add_party(rng: random.Random, world) -> None:
    """Branches under each community, a two-new organization straight under the street, members of every kind,
    some central households, current and ended cross-appointments."""
    orgs = [world.street, OrganizationFactory(level=Level.TWO_NEW, parent=world.street)]
    for community in world.communities:
        branch = OrganizationFactory(level=Level.GRID_BRANCH, parent=community)
        orgs += [community, branch, OrganizationFactory(level=Level.BUILDING_GROUP, parent=branch)]
    OrganizationFactory(level=Level.SPECIAL, parent=world.communities[0], is_active=False)
    for org in orgs:
        for _ in range(rng.randint(1, 4)):
            member = PartyMemberFactory(
                organization=org,
                kind=rng.choice(MemberKind.values),
                is_central_household=rng.random() < 0.3,
                is_active=rng.random() < 0.9,
            )
            if rng.random() < 0.5:
                ended = datetime.date(2022, 1, 1) if rng.random() < 0.3 else None
                OrgPositionFactory(
                    member=member, organization=org, cross_body=rng.choice(CrossBody.values), cross_title="member",
                    ended_on=ended,
                )  # fmt: skip


def expected_for(node) -> dict[str, float]:
    params = [node.tree_id, node.lft, node.rght]
    members = f"FROM orgs_partymember m JOIN orgs_organization o ON o.id = m.organization_id WHERE {IN_SUBTREE}"
    found = {
        "orgs.organizations": sql_one(f"SELECT COUNT(*) FROM orgs_organization o WHERE {IN_SUBTREE} AND o.is_active",
                                      params),
        "orgs.level_grid_branch": sql_one(
            f"SELECT COUNT(*) FROM orgs_organization o WHERE {IN_SUBTREE} AND o.is_active AND o.level = 'grid_branch'",
            params),
        "orgs.members": sql_one(f"SELECT COUNT(*) {members} AND m.is_active", params),
        "orgs.central_households": sql_one(f"SELECT COUNT(*) {members} AND m.is_active AND m.is_central_household",
                                           params),
        "orgs.cross_appointments": sql_one(
            "SELECT COUNT(*) FROM orgs_orgposition p JOIN orgs_organization o ON o.id = p.organization_id "
            f"JOIN orgs_partymember m ON m.id = p.member_id WHERE {IN_SUBTREE} AND m.is_active "
            "AND p.cross_body <> '' AND (p.ended_on IS NULL OR p.ended_on >= %s)", [*params, timezone.localdate()]),
    }  # fmt: skip
    for kind in MemberKind.values:
        found[f"orgs.members_{kind}"] = sql_one(f"SELECT COUNT(*) {members} AND m.is_active AND m.kind = %s",
                                                [*params, kind])  # fmt: skip
    return found


def test_organization_figures_equal_hand_written_sql():
    world = build_world(seed=21, tickets=0)
    add_party(random.Random(21), world)
    refresh_dashboards(full=True)
    this_month = month_start(timezone.localdate())
    for node in [world.district, world.street, *world.communities]:
        counters = node_counters(node, [this_month])[this_month]
        expected = expected_for(node)
        assert {key: counters.get(key, 0) for key in expected} == expected, node
    assert expected_for(world.street)["orgs.cross_appointments"] > 0


def test_a_streets_own_organizations_count_at_the_street_not_in_its_communities():
    world = build_world(seed=22, tickets=0)
    add_party(random.Random(22), world)
    refresh_dashboards(full=True)
    this_month = month_start(timezone.localdate())
    street = node_counters(world.street, [this_month])[this_month]["orgs.members"]
    rows = children_counters(world.street, this_month)
    in_communities = sum(rows[c.pk].get("orgs.members", 0) for c in world.communities)
    directly_on_street = PartyMember.objects.filter(
        is_active=True, organization__level__in=[Level.STREET, Level.TWO_NEW]
    ).count()
    assert street == in_communities + directly_on_street and directly_on_street > 0


def test_incremental_refresh_of_organizations_equals_a_full_rebuild():
    rng = random.Random(23)
    world = build_world(seed=23, tickets=0)
    add_party(rng, world)
    refresh_dashboards(full=True)
    age_refresh_state()
    member = PartyMember.objects.filter(organization__level=Level.BUILDING_GROUP).first()
    member.organization = world.street  # a transfer: counted elsewhere now
    member.kind = MemberKind.MOBILE
    member.save()
    branch = OrganizationFactory(level=Level.GRID_BRANCH, parent=world.communities[1])
    OrgPositionFactory(member=PartyMemberFactory(organization=branch), cross_body="residents_committee",
                       cross_title="chair")  # fmt: skip
    result = refresh_dashboards()
    assert not result.full and result.leaves > 0
    incremental = facts()
    refresh_dashboards(full=True)
    assert incremental == facts()
