"""The dashboards' summary table: additive counters per leaf (grid, or a community's grid-less rows) per month.

Each figure family (core.figures) fills its own metrics; a page sums the facts of a subtree with one range
aggregate (dashboards.selectors). Rows are rebuilt by dashboards.refresh, never edited by hand.
"""

from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class LeafMonthFact(models.Model):
    community = models.ForeignKey(
        "orgs.Organization", verbose_name=_("社区"), on_delete=models.CASCADE, related_name="+"
    )
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("网格"), on_delete=models.CASCADE, null=True, blank=True, related_name="+"
    )
    month = models.DateField(_("月份"))  # the first day of the month
    metric = models.CharField(_("指标"), max_length=80)
    value = models.FloatField(_("数值"))

    objects = ScopedQuerySet.as_manager()
    scope_paths = {"org": "community", "grid": "grid"}

    class Meta:
        verbose_name = _("看板数据")
        verbose_name_plural = _("看板数据")
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "month", "metric"],
                condition=models.Q(grid__isnull=False),
                name="dashboards_fact_unique_grid_month_metric",
            ),
            models.UniqueConstraint(
                fields=["community", "month", "metric"],
                condition=models.Q(grid__isnull=True),
                name="dashboards_fact_unique_community_month_metric",
            ),
        ]
        indexes = [models.Index(fields=["month", "metric"], name="dashboards_fact_month_metric")]

    def __str__(self) -> str:
        return f"{self.community_id}/{self.grid_id} {self.month:%Y-%m} {self.metric}={self.value}"


class NodeMonthFact(models.Model):
    """The leaf facts summed up to each organization node of the affected trees (community, street, district...), so
    an organization's page reads a few hundred rows instead of summing its whole subtree on every view. Rebuilt by
    dashboards.refresh from LeafMonthFact after every run, never edited by hand; grid pages read the leaves."""

    node = models.ForeignKey("orgs.Organization", verbose_name=_("组织"), on_delete=models.CASCADE, related_name="+")
    month = models.DateField(_("月份"))
    metric = models.CharField(_("指标"), max_length=80)
    value = models.FloatField(_("数值"))

    class Meta:
        verbose_name = _("看板汇总数据")
        verbose_name_plural = _("看板汇总数据")
        indexes = [models.Index(fields=["node", "month"], name="dashboards_nodefact_node_month")]

    def __str__(self) -> str:
        return f"{self.node_id} {self.month:%Y-%m} {self.metric}={self.value}"


class RefreshState(models.Model):
    """When the facts were last computed: one row (pk=1). `started_at` is the moment the last run read from; the
    next incremental run recomputes the leaves touched since then."""

    started_at = models.DateTimeField(_("起算时间"))
    computed_at = models.DateTimeField(_("计算完成时间"))
    full = models.BooleanField(_("全量重建"), default=False)
    leaves = models.PositiveIntegerField(_("重算叶子数"), default=0)

    class Meta:
        verbose_name = _("看板刷新状态")
        verbose_name_plural = _("看板刷新状态")

    def __str__(self) -> str:
        return f"{self.computed_at:%Y-%m-%d %H:%M}"
