"""Revealing masked personal information: permission-checked and logged, the only path to a full value."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, Protocol

from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.db.models import Model, Q
from django.utils.translation import gettext_lazy as _

from core.client_ip import client_ip  # noqa: F401  (re-exported: the PII log's callers import it from here)
from core.masking import MASKERS, pii_masker_for
from core.registry import Registry

# Where every full view is written down. The audit log belongs to the app that owns the users and the permission
# (accounts registers it in AccountsConfig.ready()); a reveal with nothing registered is refused, never unlogged.
pii_view_loggers = Registry("PII view loggers")

FULL_PII_PERMISSION = "accounts.view_full_pii"


class PermissionHolder(Protocol):
    """A user as the permission check reads one (accounts.models.User, the anonymous visitor): core does not
    import accounts."""

    @property
    def is_authenticated(self) -> bool: ...
    def has_perm(self, perm: str) -> bool: ...


def can_view_full_pii(user: PermissionHolder | None) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(FULL_PII_PERMISSION))


# A masked number shows its last four (and an ID its first four): a four-digit term confirms nothing not on screen.
SHOWN_SUFFIX = 4


def number_search_q(term: str, *, fields: tuple[str, ...], by: PermissionHolder | None) -> Q | None:
    """The condition for finding people by a typed ID number or phone, or None when the term is not a number.

    Only users who may see full numbers match on any fragment; for everyone else a number matches only as the last
    four digits that the masked value shows anyway, so typing someone's full ID number or phone never confirms
    whom it belongs to (and digit-by-digit guessing gets nowhere).
    """
    compact = (term or "").replace(" ", "").upper()
    if len(compact) < SHOWN_SUFFIX or not compact.rstrip("X").isdigit():
        return None
    if can_view_full_pii(by):
        lookup = "contains"
    elif len(compact) == SHOWN_SUFFIX:
        lookup = "endswith"
    else:
        return Q(pk__in=[])
    condition = Q()
    for name in fields:
        condition |= Q(**{f"{name}__{lookup}": compact})
    return condition


def is_pii_search_field(search_field: str) -> bool:
    """`^phone`, `=member__id_number`, `contact_phone`: the field a search entry names holds an ID number or phone."""
    name = search_field.lstrip("^=@$").rsplit("__", 1)[-1]
    return pii_masker_for(name) is not None


def searchable_fields(fields: Iterable[str], user: PermissionHolder | None) -> list[str]:
    """Search fields a user may match on: a full number confirms whom it belongs to, so only with the permission."""
    if can_view_full_pii(user):
        return list(fields)
    return [field for field in fields if not is_pii_search_field(field)]


def masked_values(instance: Model, fields: tuple[str, ...] = ("id_number", "phone")) -> dict[str, str]:
    return {name: MASKERS[name](getattr(instance, name, "") or "") for name in fields}


def reveal_pii(
    *,
    instance: Model,
    organization: Model,
    by: PermissionHolder,
    ip_address: str | None,
    fields: tuple[str, ...] = ("id_number", "phone"),
) -> dict[str, Any]:
    """Return the full values of `fields` and log the view; refuse without the permission."""
    if not can_view_full_pii(by):
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    loggers = pii_view_loggers.ordered()
    if not loggers:
        raise ImproperlyConfigured("No PII view logger is registered: a full view would go unrecorded.")
    for logger in loggers:
        logger.value(instance=instance, organization=organization, by=by, ip_address=ip_address, fields=fields)
    return {name: getattr(instance, name, "") for name in fields}
