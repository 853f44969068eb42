"""The service catalogue (服务事项清单, 办事指南) and the published lists (微权力清单, 言行负面清单)."""

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from core.scoping import PublicReadQuerySet, ancestors_q
from orgs.rules import Level


class HandlingLevel(models.TextChoices):
    """Who handles a matter; also the rungs a ticket climbs when escalated (grid → community → street → district)."""

    GRID = "grid", _("网格")
    COMMUNITY = "community", _("社区")
    STREET = "street", _("街道")
    DISTRICT = "district", _("区级部门")


LEVEL_ORDER = [HandlingLevel.GRID, HandlingLevel.COMMUNITY, HandlingLevel.STREET, HandlingLevel.DISTRICT]
# The organization level that stands for each handling level in the tree.
ORG_LEVEL_OF = {
    HandlingLevel.GRID: Level.GRID_BRANCH,
    HandlingLevel.COMMUNITY: Level.COMMUNITY,
    HandlingLevel.STREET: Level.STREET,
    HandlingLevel.DISTRICT: Level.DISTRICT,
}


class ServiceCategory(models.TextChoices):
    CIVIL_AFFAIRS = "civil_affairs", _("民政服务")
    SOCIAL_SECURITY = "social_security", _("社会保障")
    HOUSEHOLD_REGISTRATION = "household_registration", _("户籍管理")
    ELDERLY_CARE = "elderly_care", _("养老服务")
    DISPUTES = "disputes", _("矛盾纠纷")
    ENVIRONMENT = "environment", _("环境卫生")
    PROPERTY = "property", _("物业管理")
    SAFETY = "safety", _("平安建设")
    OTHER = "other", _("其他")


class ServiceItemQuerySet(PublicReadQuerySet):
    def published_for(self, community):
        """The items a community publishes: city-wide ones and those of the community or any of its ancestors."""
        return self.filter(is_active=True, is_public=True).filter(
            Q(organization__isnull=True) | ancestors_q("organization", community)
        )


class ServiceItem(models.Model):
    code = models.CharField(_("事项编码"), max_length=30, unique=True)
    name = models.CharField(_("事项名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=30, choices=ServiceCategory.choices)
    handling_level = models.CharField(
        _("承办层级"), max_length=20, choices=HandlingLevel.choices, default=HandlingLevel.COMMUNITY
    )
    requirements = models.TextField(_("办理条件"), blank=True)
    materials = models.TextField(_("所需材料"), blank=True)
    response_hours = models.PositiveIntegerField(
        _("响应时限（工作小时）"), default=4, validators=[MinValueValidator(1)]
    )
    resolution_hours = models.PositiveIntegerField(
        _("办结时限（工作小时）"), default=40, validators=[MinValueValidator(1)]
    )
    can_proxy = models.BooleanField(_("可代办"), default=False)
    is_public = models.BooleanField(_("公开"), default=True)
    is_active = models.BooleanField(_("有效"), default=True)
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("发布组织"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="service_items", help_text=_("留空为全市通用事项。"),
    )  # fmt: skip

    objects = ServiceItemQuerySet.as_manager()

    # Everyone signed in reads the catalogue; staff change the items of their own organization subtree.
    scope_paths = {"org": "organization"}

    class Meta:
        verbose_name = _("服务事项")
        verbose_name_plural = _("服务事项清单")
        ordering = ["category", "code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def clean(self) -> None:
        super().clean()
        if self.response_hours and self.resolution_hours and self.resolution_hours < self.response_hours:
            raise ValidationError({"resolution_hours": _("办结时限不能短于响应时限。")})


class EscalationLimit(models.Model):
    """How long a ticket may sit at one level, past its deadline, before it climbs to the next."""

    level = models.CharField(_("层级"), max_length=20, choices=HandlingLevel.choices, unique=True)
    working_hours = models.PositiveIntegerField(_("时限（工作小时）"), validators=[MinValueValidator(1)])
    yellow_card_share = models.PositiveSmallIntegerField(
        _("黄牌预警（已用时限百分比）"), default=75, validators=[MinValueValidator(1)]
    )

    class Meta:
        verbose_name = _("逐级督办时限")
        verbose_name_plural = _("逐级督办时限")
        ordering = ["working_hours"]

    def __str__(self) -> str:
        return f"{self.get_level_display()} {self.working_hours}h"


class ListKind(models.TextChoices):
    MICRO_POWER = "micro_power", _("微权力清单")
    NEGATIVE_CONDUCT = "negative_conduct", _("言行负面清单")


class PublishedListEntry(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("发布组织"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="published_entries",
    )  # fmt: skip
    kind = models.CharField(_("清单"), max_length=30, choices=ListKind.choices)
    title = models.CharField(_("条目"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    objects = PublicReadQuerySet.as_manager()

    scope_paths = {"org": "organization"}

    class Meta:
        verbose_name = _("公开清单条目")
        verbose_name_plural = _("公开清单")
        ordering = ["kind", "sort_order", "id"]

    def __str__(self) -> str:
        return self.title
