"""Account writes: who may grant which scope and role."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.models import Role, User
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
def user_create(*, username: str, password: str, role: str, scope: Organization | None, by: User, **extra) -> User:
    _check_grant(role=role, scope=scope, by=by)
    user = User(username=username, role=role, scope=scope, **extra)
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    return user


@transaction.atomic
def user_update(*, user: User, by: User, password: str | None = None, **changes) -> User:
    role = changes.get("role", user.role)
    scope = changes.get("scope", user.scope)
    _check_grant(role=role, scope=scope, by=by)
    for name, value in changes.items():
        setattr(user, name, value)
    if password:
        user.set_password(password)
    user.save()
    return user
