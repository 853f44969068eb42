"""Writes on the organization tree that are more than one row's save."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import transaction
from django.utils.translation import gettext as _

from core.api.exceptions import Conflict
from orgs.models import Organization

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def organization_delete(*, organization: Organization, by: User) -> None:
    """Delete an empty organization; one with children, members or users scoped to it is refused, never cascaded."""
    locked = Organization.objects.select_for_update().get(pk=organization.pk)
    if locked.children.exists():
        raise Conflict(_("“%(name)s”下还有下级组织，不能删除。") % {"name": locked.name})
    if locked.members.exists():
        raise Conflict(_("“%(name)s”下还有党员，请先转移党员。") % {"name": locked.name})
    if locked.scoped_users.exists():
        raise Conflict(_("仍有用户的管辖范围是“%(name)s”，请先调整这些用户。") % {"name": locked.name})
    locked.delete()
