"""Resident writes that touch more than one row: creating with history, moving between households."""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.scoping import ensure_in_scope
from grids.models import Household
from residents.models import CareTag, ResidenceHistory, Resident

if TYPE_CHECKING:
    from accounts.models import User


@transaction.atomic
def resident_create(*, by: User, tags: Iterable[CareTag | int] = (), **fields: Any) -> Resident:
    resident = Resident(**fields)
    resident.full_clean()
    resident.save()
    if tags:
        resident.tags.set(tags)
    ResidenceHistory.objects.create(resident=resident, household=resident.household, note=_("登记"))
    ensure_in_scope(resident, by)
    return resident


@transaction.atomic
def resident_move(*, resident: Resident, to: Household, by: User, on: datetime.date | None = None) -> Resident:
    """Move a resident to another household, closing the old residence record so their history is kept."""
    on = on or timezone.localdate()
    if to.pk == resident.household_id:
        raise ValidationError({"household": _("居民已在该户。")})
    ResidenceHistory.objects.filter(resident=resident, moved_out_on__isnull=True).update(moved_out_on=on)
    old_household_id = resident.household_id
    resident.household = to
    resident.save(update_fields=["household", "updated_at"])
    Household.objects.filter(pk=old_household_id, head=resident).update(head=None)
    ResidenceHistory.objects.create(resident=resident, household=to, moved_in_on=on, note=_("迁入"))
    ensure_in_scope(resident, by)
    return resident
