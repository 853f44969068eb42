"""Filters for the service catalogue and the ticket queue, shared by the pages and the API."""

import django_filters
from django.utils.translation import gettext_lazy as _

from core.filters import StrictBooleanFilter, StrictFiltersMixin
from core.filtersets import ScopedFilterSet
from core.scoping import subtree_q
from grids.models import Grid
from orgs.filtersets import SubtreeFilter
from services.models import (
    Card,
    Channel,
    ListKind,
    PublishedListEntry,
    ServiceItem,
    Ticket,
    TicketStatus,
)


class ServiceItemFilterSet(StrictFiltersMixin, ScopedFilterSet):
    published_for = django_filters.NumberFilter(method="filter_published_for", label=_("社区公开事项"))

    class Meta:
        model = ServiceItem
        fields = ["category", "handling_level", "is_public", "is_active", "can_proxy", "organization"]

    def filter_published_for(self, qs, name, value):
        from orgs.models import Organization

        community = Organization.objects.filter(pk=value).first()
        return qs.published_for(community) if community is not None else qs.none()


class TicketFilterSet(StrictFiltersMixin, ScopedFilterSet):
    status = django_filters.MultipleChoiceFilter(choices=TicketStatus.choices, label=_("状态"))
    channel = django_filters.ChoiceFilter(choices=Channel.choices, label=_("来源渠道"))
    card = django_filters.ChoiceFilter(choices=[c for c in Card.choices if c[0]], label=_("预警"))
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
        fields = ["status", "channel", "card", "community", "grid", "service_item", "priority"]

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
