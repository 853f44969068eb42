"""Point-order menu (点单-下单-接单), micro-wishes (微心愿) and the housekeeper project library (管家计划)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from core.uploads import VerifiedImageField
from orgs.rules import Level


class ProviderKind(models.TextChoices):
    ORGANIZATION = "organization", _("党组织")
    MEMBER = "member", _("在职党员")
    UNIT = "unit", _("驻区单位")


class MenuService(models.Model):
    """A service on the point-order menu; an order of it is a ticket of channel point_order."""

    community = models.ForeignKey(
        "orgs.Organization", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="menu_services",
        limit_choices_to={"level": Level.COMMUNITY},
    )  # fmt: skip
    title = models.CharField(_("服务名称"), max_length=100)
    description = models.TextField(_("服务内容"), blank=True)
    service_item = models.ForeignKey(
        "services.ServiceItem", verbose_name=_("对应服务事项"), on_delete=models.PROTECT, related_name="menu_entries"
    )
    provider_kind = models.CharField(_("提供方类型"), max_length=20, choices=ProviderKind.choices)
    provider_org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("提供党组织"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    provider_member = models.ForeignKey(
        "orgs.PartyMember", verbose_name=_("提供党员"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    provider_unit = models.ForeignKey(
        "cobuilding.ResidentUnit", verbose_name=_("提供单位"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="menu_services",
    )  # fmt: skip
    is_active = models.BooleanField(_("上架"), default=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "community", "unit": "provider_unit"}

    class Meta:
        verbose_name = _("点单服务")
        verbose_name_plural = _("点单服务菜单")
        ordering = ["community_id", "title"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        provider_field = {
            ProviderKind.ORGANIZATION: "provider_org",
            ProviderKind.MEMBER: "provider_member",
            ProviderKind.UNIT: "provider_unit",
        }.get(self.provider_kind)
        if provider_field and not getattr(self, f"{provider_field}_id"):
            raise ValidationError({provider_field: _("请选择服务提供方。")})


class WishStatus(models.TextChoices):
    POSTED = "posted", _("待认领")
    CLAIMED = "claimed", _("已认领")
    FULFILLED = "fulfilled", _("已实现待确认")
    CONFIRMED = "confirmed", _("已确认")
    WITHDRAWN = "withdrawn", _("已撤回")


class MicroWishQuerySet(ScopedQuerySet):
    def on_wall(self):
        return self.filter(status__in=(WishStatus.POSTED, WishStatus.CLAIMED))


class MicroWish(models.Model):
    """A resident's small wish, posted for them; claimed and fulfilled by a Party member or a unit."""

    resident = models.ForeignKey(
        "residents.Resident", verbose_name=_("心愿人"), on_delete=models.PROTECT, related_name="wishes"
    )
    community = models.ForeignKey(
        "orgs.Organization", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="wishes",
        limit_choices_to={"level": Level.COMMUNITY},
    )  # fmt: skip
    title = models.CharField(_("心愿"), max_length=100)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=WishStatus.choices, default=WishStatus.POSTED)
    posted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("发布人"), on_delete=models.PROTECT, related_name="+"
    )
    posted_at = models.DateTimeField(_("发布时间"), auto_now_add=True)
    claimed_by_member = models.ForeignKey(
        "orgs.PartyMember", verbose_name=_("认领党员"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="claimed_wishes",
    )  # fmt: skip
    claimed_by_unit = models.ForeignKey(
        "cobuilding.ResidentUnit", verbose_name=_("认领单位"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="claimed_wishes",
    )  # fmt: skip
    claimed_by_org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("认领党组织"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="claimed_wishes",
    )  # fmt: skip
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    fulfilled_at = models.DateTimeField(_("实现时间"), null=True, blank=True)
    fulfilment_photo = VerifiedImageField(_("实现照片"), upload_to="wishes/", blank=True)
    confirmed_at = models.DateTimeField(_("居民确认时间"), null=True, blank=True)

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = MicroWishQuerySet.as_manager()

    scope_paths = {"org": "community", "unit": "claimed_by_unit"}

    class Meta:
        verbose_name = _("微心愿")
        verbose_name_plural = _("微心愿")
        ordering = ["-posted_at", "-id"]

    def __str__(self) -> str:
        return self.title

    def get_file_url(self, field_name: str) -> str:
        """The scoped view (it checks the reader sees the wish); the photo may show the resident's home."""
        return reverse("tickets:wish-photo", args=[self.pk])


class ProjectKind(models.TextChoices):
    MICRO_SERVICE = "micro_service", _("微服务")
    MICRO_VOLUNTEER = "micro_volunteer", _("微志愿")
    MICRO_GOVERNANCE = "micro_governance", _("微治理")


class ProjectRating(models.TextChoices):
    EXEMPLARY = "exemplary", _("示范项目")
    EXCELLENT = "excellent", _("优秀项目")
    PASSED = "passed", _("合格")


class HousekeeperProject(models.Model):
    """管家计划: a project claimed and funded by alliance units, carried out by a social organization."""

    community = models.ForeignKey(
        "orgs.Organization", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="housekeeper_projects",
        limit_choices_to={"level": Level.COMMUNITY},
    )  # fmt: skip
    year = models.PositiveSmallIntegerField(_("年度"))
    title = models.CharField(_("项目名称"), max_length=200)
    kind = models.CharField(_("类别"), max_length=30, choices=ProjectKind.choices)
    description = models.TextField(_("项目内容"), blank=True)
    funded_by = models.ForeignKey(
        "cobuilding.ResidentUnit", verbose_name=_("认领资助单位"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="funded_projects",
    )  # fmt: skip
    funding = models.DecimalField(
        _("资助金额（元）"), max_digits=12, decimal_places=2, default=0, validators=[MinValueValidator(0)]
    )
    carried_out_by = models.CharField(_("实施社会组织"), max_length=100, blank=True)
    rating = models.CharField(_("年度评定"), max_length=20, choices=ProjectRating.choices, blank=True)

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "community", "unit": "funded_by"}

    class Meta:
        verbose_name = _("管家计划项目")
        verbose_name_plural = _("管家计划项目库")
        ordering = ["-year", "community_id", "title"]

    def __str__(self) -> str:
        return self.title
