"""The one navigation: a table of entries (URL name, label, who sees it), rendered by templates/partials/nav.html.

It lives in config because it assembles every app's pages, like the root URLs. A grid worker's day is all here:
my grid, my tasks (with the open count), report, search, visits due and notifications (with the unread count).
An entry whose URL is not installed (the mediation app, until it is merged) is left out, not an error.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from accounts.models import Role
from services.models import OPEN_STATUSES, Ticket

GRID_WORKER, STAFF, OFFICIAL, LIAISON = Role.GRID_WORKER, Role.STAFF, Role.OFFICIAL, Role.UNIT_LIAISON
EVERYONE = frozenset(Role)


@dataclass(frozen=True)
class NavEntry:
    url_name: str
    label: str | Promise
    roles: frozenset[str]
    badge: str = ""  # "tasks": my open tickets; "unread": unread notifications (from the notifications processor)
    writers_only: bool = False
    id: str = ""


NAV_ENTRIES: tuple[NavEntry, ...] = (
    NavEntry("grid:home", _("我的网格"), frozenset({GRID_WORKER})),
    NavEntry("tickets:assigned", _("我的待办"), frozenset({GRID_WORKER}), badge="tasks", id="nav-tasks"),
    NavEntry("tickets:report", _("上报"), frozenset({GRID_WORKER}), writers_only=True),
    NavEntry("tickets:queue", _("工单"), frozenset({STAFF, OFFICIAL})),
    NavEntry("tickets:new", _("登记"), frozenset({STAFF}), writers_only=True),
    NavEntry("grid:home", _("网格"), frozenset({STAFF, OFFICIAL})),
    NavEntry("grid:search", _("搜索"), frozenset({GRID_WORKER, STAFF, OFFICIAL})),
    NavEntry("grid:visits-due", _("待走访"), frozenset({GRID_WORKER})),
    NavEntry("mediation:list", _("调解"), frozenset({STAFF})),
    NavEntry("unit:home", _("共建"), frozenset({STAFF, OFFICIAL})),
    NavEntry("dashboards:home", _("数据"), frozenset({STAFF, OFFICIAL})),
    NavEntry("unit:home", _("本单位"), frozenset({LIAISON})),
    NavEntry("notifications:list", _("通知"), EVERYONE, badge="unread", id="notifications-link"),
)


@dataclass(frozen=True)
class NavLink:
    url: str
    label: str | Promise
    badge: str
    id: str


def entries_for(user) -> list[NavEntry]:
    """The entries a user sees: their role's (a superuser sees staff's), writers' entries only for writers."""
    role = Role.STAFF if user.is_superuser else user.role
    return [e for e in NAV_ENTRIES if role in e.roles and (user.can_write or not e.writers_only)]


def nav_links(user) -> list[NavLink]:
    links = []
    for entry in entries_for(user):
        try:
            url = reverse(entry.url_name)
        except NoReverseMatch:  # an app not (yet) installed, e.g. mediation before it is merged
            continue
        links.append(NavLink(url, entry.label, entry.badge, entry.id or f"nav-{entry.url_name.replace(':', '-')}"))
    return links


def open_task_count(user) -> int:
    """What "我的待办" lists: open tickets assigned to the user, within their scope."""
    return Ticket.objects.visible_to(user).filter(assignee_user=user, status__in=OPEN_STATUSES).count()


def navigation(request) -> dict:
    """Context processor. Both values are callables the template calls only when it renders the nav (an htmx
    fragment never does), each at most once per request."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    links = functools.cache(functools.partial(nav_links, user))
    needs_tasks = any(entry.badge == "tasks" for entry in entries_for(user))
    tasks = functools.cache(functools.partial(open_task_count, user)) if needs_tasks else 0
    return {"nav_links": links, "open_task_count": tasks}
