"""Reads of the services app that depend on the user or need an aggregate: the micro-wish figures per node.

Counts are rolled up through the organization tree in the database: one grouped query per call, each child node
counting the wishes of every community in its subtree (an mptt range), whatever the number of wishes.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db.models import Count, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce

from core.scoping import subtree_q
from orgs.models import Organization
from services.models import MicroWish, WishStatus

if TYPE_CHECKING:
    from accounts.models import User

FULFILLED = (WishStatus.FULFILLED, WishStatus.CONFIRMED)


def _count_in_subtree(wishes: QuerySet[MicroWish], condition: Q) -> Coalesce:
    """A correlated count of `wishes` whose community lies in the outer organization's subtree."""
    inner = (
        wishes.filter(condition)
        .filter(
            community__tree_id=OuterRef("tree_id"),
            community__lft__gte=OuterRef("lft"),
            community__lft__lte=OuterRef("rght"),
        )
        .order_by()
        .values("community__tree_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(inner, output_field=IntegerField()), Value(0))


def wish_counts_by_child(*, node: Organization, fetched_by: User) -> QuerySet[Organization]:
    """The node's children (and the node itself first), each with posted, claimed and fulfilled wish counts.

    "Fulfilled" counts wishes fulfilled whether or not the resident has confirmed yet (the dashboards' figure,
    as in seed 001's 534 fulfilled wishes); `confirmed` is the confirmed part of it. Only wishes the user may see
    are counted.
    """
    wishes = MicroWish.objects.visible_to(fetched_by)
    counted: QuerySet[Organization] = (
        Organization.objects.visible_to(fetched_by)
        .filter(Q(pk=node.pk) | Q(parent=node))
        .annotate(
            wishes_posted=_count_in_subtree(wishes, Q(status=WishStatus.POSTED)),
            wishes_claimed=_count_in_subtree(wishes, Q(status=WishStatus.CLAIMED)),
            wishes_fulfilled=_count_in_subtree(wishes, Q(status__in=FULFILLED)),
            wishes_confirmed=_count_in_subtree(wishes, Q(status=WishStatus.CONFIRMED)),
        )
        .order_by("tree_id", "lft")
    )
    return counted


def wishes_fulfilled_by_claimer(*, node: Organization, fetched_by: User) -> dict[str, list[dict[str, Any]]]:
    """Fulfilled wishes in `node`'s subtree grouped by who claimed them: Party organizations and resident units."""
    wishes = (
        MicroWish.objects.visible_to(fetched_by)
        .filter(
            subtree_q("community", node),
            status__in=FULFILLED,
        )
        .order_by()
    )
    by_org = wishes.filter(claimed_by_org__isnull=False).values("claimed_by_org", "claimed_by_org__name")
    by_unit = wishes.filter(claimed_by_unit__isnull=False).values("claimed_by_unit", "claimed_by_unit__name")
    by_member_org = wishes.filter(claimed_by_member__isnull=False).values(
        "claimed_by_member__organization", "claimed_by_member__organization__name"
    )
    return {
        "organizations": list(by_org.annotate(fulfilled=Count("pk")).order_by("-fulfilled", "claimed_by_org")),
        "units": list(by_unit.annotate(fulfilled=Count("pk")).order_by("-fulfilled", "claimed_by_unit")),
        # Members count for the Party organization they belong to.
        "member_organizations": list(
            by_member_org.annotate(fulfilled=Count("pk")).order_by("-fulfilled", "claimed_by_member__organization")
        ),
    }


def wish_wall(*, community: Organization) -> QuerySet[MicroWish]:
    """The public wall of a community: wishes posted or claimed, never withdrawn or private details."""
    wall: QuerySet[MicroWish] = (
        MicroWish.objects.on_wall()
        .filter(community=community)
        .select_related("resident", "claimed_by_member", "claimed_by_unit", "claimed_by_org")
        .only(
            "title",
            "description",
            "status",
            "posted_at",
            "claimed_at",
            "resident__name",
            "claimed_by_member__name",
            "claimed_by_unit__name",
            "claimed_by_org__name",
        )  # fmt: skip
        .order_by("status", "-posted_at", "-id")
    )
    return wall
