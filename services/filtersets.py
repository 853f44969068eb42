"""Filters for the service catalogue and the ticket queue, shared by the pages and the API."""

from __future__ import annotations

import django_filters
from django import forms
from django.http import QueryDict
from django.utils.translation import gettext_lazy as _
from rest_framework.request import Request

from accounts.models import Role
from core.filters import StrictBooleanFilter, StrictFiltersMixin
from core.filtersets import ScopedFilterSet
from core.scoping import subtree_q
from grids.models import Grid
from orgs.filtersets import SubtreeFilter
from orgs.models import Organization
from orgs.rules import Level
from services.models import (
    Card,
    Channel,
    ListKind,
    Priority,
    PublishedListEntry,
    ServiceItem,
    Ticket,
    TicketStatus,
)
from services.tickets.actions import can_own_tickets


class ServiceItemFilterSet(StrictFiltersMixin, ScopedFilterSet):
    published_for = django_filters.NumberFilter(method="filter_published_for", label=_("社区公开事项"))

    class Meta:
        model = ServiceItem
        fields = ["category", "handling_level", "is_public", "is_active", "can_proxy", "organization"]

    def filter_published_for(self, qs, name, value):
        from orgs.models import Organization

        community = Organization.objects.filter(pk=value).first()
        return qs.published_for(community) if community is not None else qs.none()


# The queue page opens on the work still to do: everything but what is finished for good. A resolved ticket stays,
# since it still waits on the resident's rating or on being closed. The API has no such default (a client that
# lists tickets has always received every status); it filters only when `status` is given.
QUEUE_DEFAULT_STATUSES = [value for value, _label in TicketStatus.choices if value not in ("closed", "rejected")]
FINISHED_STATUSES = ["closed", "rejected"]

TREE_FILTERS = ("street", "community", "grid")
# The tree filters worth offering below a scope node of each level: a filter whose only choice is the user's own
# node filters nothing. Grid workers (their grids) and other levels get the grid filter; unit liaisons none.
TREE_FILTERS_BY_SCOPE_LEVEL = {
    Level.DISTRICT: ("street", "community", "grid"),
    Level.STREET: ("community", "grid"),
}


def offered_tree_filters(user) -> tuple[str, ...]:
    if user.is_superuser:
        return TREE_FILTERS
    if user.role == Role.UNIT_LIAISON:
        return ()
    if user.role == Role.GRID_WORKER or user.scope_id is None:
        return ("grid",)
    return TREE_FILTERS_BY_SCOPE_LEVEL.get(user.scope.level, ("grid",))


def queue_page_data(query: QueryDict) -> QueryDict:
    """The queue page's query as the filterset reads it: open work when no status is asked for.

    The page's form always sends `status` (a hidden empty value), so unticking every status means "all"; empty
    values are dropped here. `escalated` is the page's old name for `escalated_to_me` (kept for bookmarks).
    """
    data = query.copy()
    if "status" in data:
        data.setlist("status", [value for value in data.getlist("status") if value])
    else:
        data.setlist("status", QUEUE_DEFAULT_STATUSES)
    if "escalated" in data and "escalated_to_me" not in data:
        data["escalated_to_me"] = data.pop("escalated")[-1]
    return data


class PageCheckbox(forms.CheckboxInput):
    """A page's yes-only checkbox: ticked sends "on" (read as true), unticked sends nothing (no filter)."""

    def value_from_datadict(self, data, files, name):
        if name not in data:
            return None
        value = data.get(name)
        return True if str(value).lower() in ("on", "true", "1") else value


class TicketFilterSet(StrictFiltersMixin, ScopedFilterSet):
    """The queue's filters, for the /tickets/ page and /api/v1/tickets/ alike.

    Every choice filter offers only rows in the user's scope (ScopedFilterSet), so an id outside it is the same
    "not a valid choice" as a missing one. On the page, the form shows only the filters that mean something to the
    user: the tree filters below their scope, and "mine" only to those who can hold a ticket. The API keeps every
    filter for every user, so a parameter is never silently ignored.
    """

    # distinct=False: a status is a column of the ticket, no join can repeat a row (django-filter's default
    # SELECT DISTINCT made the queue's count and page scan every selected column).
    status = django_filters.MultipleChoiceFilter(choices=TicketStatus.choices, distinct=False, label=_("状态"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("来源渠道"))
    priority = django_filters.ChoiceFilter(choices=Priority.choices, label=_("优先级"))
    card = django_filters.ChoiceFilter(choices=[c for c in Card.choices if c[0]], label=_("预警"))
    street = SubtreeFilter(
        path="community", queryset=Organization.objects.filter(level=Level.STREET), label=_("所属街道（含下级）")
    )
    # The API has always taken any organization here (a street's id filters its communities' tickets): kept so.
    # The page offers only communities, beside the street filter.
    community = SubtreeFilter(path="community", label=_("所属社区（含下级）"))
    grid = django_filters.ModelChoiceFilter(
        queryset=Grid.objects.all(), method="filter_grid", label=_("网格（含下级）")
    )
    service_item = django_filters.ModelChoiceFilter(queryset=ServiceItem.objects.all(), label=_("服务事项"))
    mine = StrictBooleanFilter(method="filter_mine", label=_("我的工单"))
    overdue = StrictBooleanFilter(method="filter_overdue", label=_("已超时"))
    escalated_to_me = StrictBooleanFilter(method="filter_escalated_to_me", label=_("升级到我处"))

    class Meta:
        model = Ticket
        fields = ["status", "channel", "priority", "card", "street", "community", "grid", "service_item"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = getattr(self.request, "user", None)
        if user is not None and user.is_authenticated and not isinstance(self.request, Request):
            self._fit_to_page(user)

    def _fit_to_page(self, user) -> None:
        """Drop the filters that mean nothing to this user; booleans become checkboxes, statuses tick boxes."""
        hidden = set(TREE_FILTERS) - set(offered_tree_filters(user))
        if not can_own_tickets(user):
            hidden.add("mine")
        for name in hidden:
            del self.filters[name]
        if "community" in self.filters:
            community = self.filters["community"]
            community.queryset = community.queryset.filter(level=Level.COMMUNITY)
        for filter_ in self.filters.values():
            if isinstance(filter_, StrictBooleanFilter):
                filter_.extra["widget"] = PageCheckbox
        self.filters["status"].extra["widget"] = forms.CheckboxSelectMultiple

    def filter_grid(self, qs, name, value):
        return qs.filter(subtree_q("grid", value)) if value else qs

    def filter_mine(self, qs, name, value):
        mine = qs.mine(self.request.user)
        return mine if value else qs.exclude(pk__in=mine.values("pk"))

    def filter_overdue(self, qs, name, value):
        overdue = qs.overdue()
        return overdue if value else qs.exclude(pk__in=overdue.values("pk"))

    def filter_escalated_to_me(self, qs, name, value):
        return qs.escalated_to(self.request.user) if value else qs


class PublishedListEntryFilterSet(StrictFiltersMixin, ScopedFilterSet):
    kind = django_filters.ChoiceFilter(choices=ListKind.choices, label=_("清单"))

    class Meta:
        model = PublishedListEntry
        fields = ["kind", "organization"]
