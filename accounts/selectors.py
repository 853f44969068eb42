"""Who is responsible where: used to address notifications (reminders now, ticket escalations later)."""

from accounts.models import Role, User


def staff_responsible_for(organization, *, roles=(Role.STAFF,)):
    """Active users of `roles` whose scope covers `organization` (their scope is it or one of its ancestors)."""
    return User.objects.filter(
        is_active=True,
        role__in=roles,
        scope__tree_id=organization.tree_id,
        scope__lft__lte=organization.lft,
        scope__rght__gte=organization.rght,
    )


def liaisons_of(units):
    """Active liaison users of the given resident units."""
    return User.objects.filter(is_active=True, role=Role.UNIT_LIAISON, unit__in=units)
