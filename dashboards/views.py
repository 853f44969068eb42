"""The dashboard pages: the user's scope root, any organization or grid node inside their scope, and its xlsx.

Nodes are fetched through the one scoping mechanism (core.pages.get_scoped_or_404): a node outside the user's scope
answers 404 like a missing one. Everything shown comes from dashboards.report, which the API and the export share.
"""

from __future__ import annotations

from django.contrib.auth.mixins import LoginRequiredMixin
from django.http import Http404, HttpResponse, HttpResponseBadRequest
from django.shortcuts import redirect
from django.utils import timezone
from django.views import View
from django.views.generic import TemplateView

from core.figures import add_months
from core.pages import get_scoped_or_404
from core.scoping import ancestors_q, subtree_q
from dashboards.exporting import dashboard_workbook
from dashboards.months import parse_month
from dashboards.report import chart_data, current_month, dashboard_for, level_label, node_url
from grids.models import Grid
from orgs.models import Organization
from services.models import Ticket

MONTHS_OFFERED = 24
ATTENTION_ROWS = 20


def scope_root(user):
    """The node a user's dashboard opens on: their first scope node (a grid worker's grid), or for a superuser
    without a scope the first root of the organization tree."""
    nodes = user.scope_nodes()
    for kind, node in nodes:
        if kind in ("org", "grid"):
            return node
    if user.is_superuser:
        return Organization.objects.filter(parent__isnull=True).order_by("tree_id").first()
    return None


class DashboardHomeView(LoginRequiredMixin, View):
    def get(self, request):
        root = scope_root(request.user)
        if root is None:
            raise Http404
        return redirect(node_url(root))


def breadcrumb(user, node) -> list:
    """The node's ancestors the user may open, from the top of their scope down to the node itself."""
    community = node.community if isinstance(node, Grid) else node
    trail = list(Organization.objects.visible_to(user).filter(ancestors_q("", community)).order_by("lft"))
    if isinstance(node, Grid):
        trail += list(Grid.objects.visible_to(user).filter(ancestors_q("", node)).order_by("lft"))
    return [(crumb, node_url(crumb)) for crumb in trail]


def tickets_needing_attention(user, node) -> list[Ticket]:
    """The open tickets under a node that are overdue or were escalated, most escalated then most late first: a live
    query (the officials act on these today), through the user's scoped queryset, at most ATTENTION_ROWS rows."""
    path = "grid" if isinstance(node, Grid) else "community"
    tickets = Ticket.objects.visible_to(user).filter(subtree_q(path, node))
    flagged = tickets.overdue() | tickets.open().filter(escalation_count__gt=0)
    flagged = flagged.select_related("service_item", "community", "grid", "handling_org")
    return list(flagged.order_by("-escalation_count", "resolution_due_at", "pk")[:ATTENTION_ROWS])


class NodeMixin(LoginRequiredMixin):
    model: type[Organization] | type[Grid] = Organization

    def dispatch(self, request, *args, **kwargs):
        if not request.user.is_authenticated:
            return self.handle_no_permission()
        try:
            self.month = parse_month(request.GET.get("month")) or current_month()
        except ValueError as error:
            return HttpResponseBadRequest(str(error))
        queryset = self.model.objects.all()
        if self.model is Grid:
            queryset = queryset.select_related("community")
        self.node = get_scoped_or_404(queryset, request.user, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)


class NodeDashboardView(NodeMixin, TemplateView):
    template_name = "dashboards/node.html"

    def get_context_data(self, **kwargs):
        board = dashboard_for(self.node, self.month)
        this_month = current_month()
        return super().get_context_data(
            board=board,
            node=self.node,
            level_label=level_label(self.node),
            breadcrumb=breadcrumb(self.request.user, self.node),
            chart_data=chart_data(board),
            months=[add_months(this_month, -n) for n in range(MONTHS_OFFERED)],
            export_url=f"{node_url(self.node)}export.xlsx?month={board.month:%Y-%m}",
            attention=tickets_needing_attention(self.request.user, self.node),
            attention_limit=ATTENTION_ROWS,
            now=timezone.now(),
            **kwargs,
        )


class NodeExportView(NodeMixin, View):
    def get(self, request, pk: int):
        board = dashboard_for(self.node, self.month)
        response = HttpResponse(
            dashboard_workbook(board),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        )
        filename = f"dashboard-{board.month:%Y-%m}-{self.node.pk}.xlsx"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
        return response


class GridMixin:
    model: type[Organization] | type[Grid] = Grid


class GridDashboardView(GridMixin, NodeDashboardView):
    pass


class GridExportView(GridMixin, NodeExportView):
    pass
