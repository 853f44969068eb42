"""Account writes: who may grant which scope and role."""

from collections.abc import Iterable
from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Model
from django.utils.translation import gettext as _

from accounts.models import PIIAccessLog, Role, User
from orgs.models import Organization


def _check_grant(*, role: str, scope: Organization | None, by: User) -> None:
    if by.is_superuser:
        return
    if by.role != Role.STAFF:
        raise PermissionDenied(_("只有工作人员可以管理账号。"))
    if scope is None:
        raise ValidationError({"scope": _("请选择管辖范围。")})
    if not Organization.objects.visible_to(by).filter(pk=scope.pk).exists():
        # Same message as a scope that does not exist: never reveal what lies outside one's own scope.
        raise ValidationError({"scope": _("不能授予超出您自己管辖范围的权限。")})


@transaction.atomic
def user_create(*, username: str, password: str, role: str, scope: Organization | None, by: User, **extra: Any) -> User:
    _check_grant(role=role, scope=scope, by=by)
    user = User(username=username, role=role, scope=scope, **extra)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()  # type: ignore[no-untyped-call]  # User.save is untyped until accounts.models is
    return user


def may_change_credentials(*, user: User, by: User) -> bool:
    """Whether `by` may set `user`'s password: never for an account holding a power `by` lacks.

    Whoever sets a password can log in as that account; so setting it must not hand anyone a permission (full
    personal information, superuser, admin access) they do not hold themselves. Everyone may change their own.
    """
    if user.pk == by.pk or by.is_superuser:
        return True
    if user.is_superuser or (user.is_staff and not by.is_staff):
        return False
    return user.get_all_permissions() <= by.get_all_permissions()


def _set_password(*, user: User, password: str, by: User) -> None:
    if not may_change_credentials(user=user, by=by):
        raise PermissionDenied(_("不能修改拥有您所没有权限的账号的密码。"))
    user.set_password(password)
    if user.pk != by.pk:
        log_password_change(user=user, by=by)


def log_password_change(*, user: User, by: User) -> None:
    """A password set for someone else is a log row, shown in the admin's history of that account."""
    LogEntry.objects.log_actions(
        user_id=by.pk, queryset=[user], action_flag=CHANGE, change_message=_("修改了密码。"), single_object=True
    )


@transaction.atomic
def user_update(*, user: User, by: User, password: str | None = None, **changes: Any) -> User:
    role = changes.get("role", user.role)
    scope = changes.get("scope", user.scope)
    _check_grant(role=role, scope=scope, by=by)
    for name, value in changes.items():
        setattr(user, name, value)
    if password:
        _set_password(user=user, password=password, by=by)
    user.save()  # type: ignore[no-untyped-call]  # User.save is untyped until accounts.models is
    return user


def pii_access_log_create(
    *, instance: Model, organization: Organization, by: User, ip_address: str | None, fields: Iterable[str]
) -> PIIAccessLog:
    """Write down one full view of `instance`'s personal information (core.pii.reveal_pii calls it, through the
    logger registry, inside the reveal)."""
    return PIIAccessLog.objects.create(
        viewer=by,
        subject_type=instance._meta.label_lower,
        subject_id=instance.pk,
        subject_label=str(instance)[:100],
        fields=",".join(fields),
        organization=organization,
        ip_address=ip_address,
    )
