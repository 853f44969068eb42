"""Who is responsible where: used to address notifications (reminders now, ticket escalations later)."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING

from django.db.models import Q, QuerySet

from accounts.models import Role, User
from core.scoping import ancestors_q

if TYPE_CHECKING:
    from cobuilding.models import ResidentUnit
    from orgs.models import Organization


def staff_responsible_for(organization: Organization, *, roles: Iterable[str] = (Role.STAFF,)) -> QuerySet[User]:
    """Active users of `roles` whose scope covers `organization` (their scope is it or one of its ancestors)."""
    staff: QuerySet[User] = User.objects.filter(ancestors_q("scope", organization), is_active=True, role__in=roles)
    return staff


def staff_responsible_for_each(organizations: Iterable[Organization]) -> dict[int, list[User]]:
    """staff_responsible_for() for many organizations at once (one query): {organization id: [users]}."""
    organizations = list(organizations)
    if not organizations:
        return {}
    condition = Q()
    for organization in organizations:
        condition |= ancestors_q("scope", organization)
    staff = list(User.objects.filter(condition, is_active=True, role=Role.STAFF).select_related("scope"))
    return {
        o.pk: [u for u in staff if u.scope.tree_id == o.tree_id and u.scope.lft <= o.lft and u.scope.rght >= o.rght]
        for o in organizations
    }


def liaisons_of(units: Iterable[ResidentUnit]) -> QuerySet[User]:
    """Active liaison users of the given resident units."""
    liaisons: QuerySet[User] = User.objects.filter(is_active=True, role=Role.UNIT_LIAISON, unit__in=units)
    return liaisons
