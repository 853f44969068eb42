"""Demo logins, one per role, all with the same password, printed as a table at the end of `seed_demo`.

Accounts are created through `accounts.services.user_create` (the superuser acting), so they pass the same checks
as any account made in the portal. An existing username is left untouched: a second run changes nothing, and a
password someone changed on purpose stays changed.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from django.contrib.auth.password_validation import validate_password

from accounts.models import Role, User
from accounts.services import user_create
from core.demo import DemoContext, format_table
from orgs.models import Organization

DEMO_PASSWORD = "tongxinyuan-demo"
LOGIN_HEADERS = ["用户名", "密码", "角色", "管辖范围", "状态"]


@dataclass(frozen=True)
class DemoLogin:
    username: str
    display_name: str
    role: str | None  # None: the superuser
    scope: Callable[[dict[str, Any]], Organization | None]
    duty: str = ""  # what this login does within its role, shown beside the role


def _by_code(code: str) -> Callable[[dict[str, Any]], Organization]:
    return lambda shared: shared["orgs_by_code"][code]


LOGINS = [
    DemoLogin("admin", "系统管理员", None, lambda shared: None),
    DemoLogin("official", "市委组织部领导", Role.OFFICIAL, _by_code("NG")),
    DemoLogin("street_staff", "西津街道工作人员", Role.STAFF, _by_code("NG-XJ")),
    DemoLogin("staff", "津北社区工作人员", Role.STAFF, _by_code("NG-XJ-JB")),
    # The hotline and one-window desk of the street's service centre: takes calls and visits, files the tickets.
    DemoLogin("intake", "河沥溪街道便民服务中心受理员", Role.STAFF, _by_code("NG-HLX"), duty="热线/窗口受理"),
    DemoLogin("grid", "津北社区第一网格网格员", Role.GRID_WORKER, _by_code("NG-XJ-JB-G01")),
    DemoLogin("api", "河沥溪街道数据对接", Role.INTEGRATOR, _by_code("NG-HLX")),
]


def build(ctx: DemoContext) -> None:
    admin, created = _superuser(LOGINS[0])
    rows = [_row(admin, created)]
    for login in LOGINS[1:]:
        rows.append(_row(*_login(login, ctx.shared, by=admin)))
    ctx.say(f"accounts: {sum(row[-1] == '新建' for row in rows)} demo logins created, {len(rows)} in all")
    ctx.epilogue += ["", "演示账号 (demo logins):"]
    ctx.shared.update(login_rows=rows, login_table_at=len(ctx.epilogue))
    ctx.epilogue += format_table(LOGIN_HEADERS, rows)
    ctx.epilogue.append(
        "An existing login keeps whatever password it has now; the demo password is only set on creation."
    )
    ctx.epilogue.append("API: POST /api/v1/auth/token/ with username api and its password returns the token.")


def add_login_row(ctx: DemoContext, user: User, created: bool) -> None:
    """A login a later builder makes (the unit liaison, once units exist) joins the one logins table."""
    rows, start = ctx.shared["login_rows"], ctx.shared["login_table_at"]
    old_length = len(rows) + 2  # header and rule
    rows.append(_row(user, created))
    ctx.epilogue[start : start + old_length] = format_table(LOGIN_HEADERS, rows)


def _superuser(login: DemoLogin) -> tuple[User, bool]:
    user = User.objects.filter(username=login.username).first()
    if user is not None:
        return user, False
    user = User(username=login.username, first_name=login.display_name, is_superuser=True)
    validate_password(DEMO_PASSWORD, user)
    user.set_password(DEMO_PASSWORD)
    user.save()
    return user, True


def _login(login: DemoLogin, shared: dict[str, Any], *, by: User) -> tuple[User, bool]:
    user = User.objects.filter(username=login.username).select_related("scope").first()
    if user is not None:
        return user, False
    validate_password(DEMO_PASSWORD, User(username=login.username, first_name=login.display_name))
    user = user_create(
        username=login.username,
        password=DEMO_PASSWORD,
        role=login.role,
        scope=login.scope(shared),
        by=by,
        first_name=login.display_name,
    )
    return user, True


def _row(user: User, created: bool) -> list[str]:
    scope = str(user.unit) if user.unit_id else (str(user.scope) if user.scope_id else "全部")
    if user.scope_id and user.scope.parent_id is None:
        scope += "（全域）"
    return [user.username, DEMO_PASSWORD, role_label(user), scope, "新建" if created else "已存在"]


def role_label(user: User) -> str:
    """The role as the table shows it: an official's is named after the node they oversee (the demo's root is a
    county-level city committee, not a district), and a login with a duty says it."""
    if user.is_superuser:
        return "超级管理员"
    label = str(Role(user.role).label)
    if user.role == Role.OFFICIAL and user.scope_id:
        label = f"{user.scope.name.removeprefix('中共')}领导（只读）"
    duty = next((login.duty for login in LOGINS if login.username == user.username and login.duty), "")
    return f"{label}·{duty}" if duty else label
