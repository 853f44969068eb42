"""Revealing masked personal information: permission-checked and logged, the only path to a full value."""

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _

from core.client_ip import client_ip  # noqa: F401  (re-exported: the PII log's callers import it from here)
from core.masking import MASKERS

FULL_PII_PERMISSION = "accounts.view_full_pii"


def can_view_full_pii(user) -> bool:
    return bool(user and user.is_authenticated and user.has_perm(FULL_PII_PERMISSION))


def masked_values(instance, fields: tuple[str, ...] = ("id_number", "phone")) -> dict[str, str]:
    return {name: MASKERS[name](getattr(instance, name, "") or "") for name in fields}


def reveal_pii(*, instance, organization, by, ip_address: str | None, fields=("id_number", "phone")) -> dict:
    """Return the full values of `fields` and log the view; refuse without the permission."""
    from accounts.models import PIIAccessLog

    if not can_view_full_pii(by):
        raise PermissionDenied(_("您没有查看完整个人信息的权限。"))
    PIIAccessLog.objects.create(
        viewer=by,
        subject_type=instance._meta.label_lower,
        subject_id=instance.pk,
        subject_label=str(instance)[:100],
        fields=",".join(fields),
        organization=organization,
        ip_address=ip_address,
    )
    return {name: getattr(instance, name, "") for name in fields}
