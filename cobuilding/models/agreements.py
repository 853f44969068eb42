"""Co-building agreements (共驻共建协议) and their service lists (服务清单) of commitment items."""

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from orgs.rules import Level


class AgreementStatus(models.TextChoices):
    DRAFT = "draft", _("草拟")
    ACTIVE = "active", _("生效")
    EXPIRED = "expired", _("已到期")
    TERMINATED = "terminated", _("已终止")


class AgreementQuerySet(ScopedQuerySet):
    def with_related(self):
        return self.select_related("unit", "community")


class CoBuildingAgreement(models.Model):
    unit = models.ForeignKey(
        "cobuilding.ResidentUnit", verbose_name=_("驻区单位"), on_delete=models.PROTECT, related_name="agreements"
    )
    community = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("社区"),
        on_delete=models.PROTECT,
        related_name="cobuilding_agreements",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    title = models.CharField(_("协议名称"), max_length=200)
    starts_on = models.DateField(_("开始日期"))
    ends_on = models.DateField(_("结束日期"))
    signed_on = models.DateField(_("签订日期"), null=True, blank=True)
    status = models.CharField(
        _("状态"), max_length=20, choices=AgreementStatus.choices, default=AgreementStatus.DRAFT, db_index=True
    )
    notes = models.TextField(_("备注"), blank=True)

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = AgreementQuerySet.as_manager()

    scope_paths = {"org": "community", "unit": "unit"}

    class Meta:
        verbose_name = _("共驻共建协议")
        verbose_name_plural = _("共驻共建协议")
        ordering = ["-starts_on", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.starts_on and self.ends_on and self.ends_on < self.starts_on:
            errors["ends_on"] = ValidationError(_("结束日期不能早于开始日期。"), code="end_before_start")
        if self.signed_on and self.signed_on > timezone.localdate():
            errors["signed_on"] = ValidationError(_("签订日期不能晚于今天。"), code="future")
        if self.community_id and self.community.level != Level.COMMUNITY:
            errors["community"] = ValidationError(_("协议须与社区签订。"), code="community_level")
        if self.status == AgreementStatus.ACTIVE and not self.signed_on:
            errors["signed_on"] = ValidationError(_("生效的协议须填写签订日期。"), code="unsigned")
        if errors:
            raise ValidationError(errors)


class CommitmentKind(models.TextChoices):
    PARTY_ACTIVITY = "party_activity", _("党建活动")
    VOLUNTEER_SERVICE = "volunteer_service", _("志愿服务")
    VENUE_SHARING = "venue_sharing", _("阵地共享")
    FUNDING = "funding", _("资金支持")
    LEGAL = "legal", _("法律服务")
    HEALTH = "health", _("健康服务")
    EMPLOYMENT = "employment", _("就业服务")
    OTHER_PROFESSIONAL = "other_professional", _("其他专业服务")


class CommitmentMeasure(models.TextChoices):
    COUNT = "count", _("次")
    YUAN = "yuan", _("元")
    HOURS = "hours", _("小时")
    PEOPLE = "people", _("人次")


class CommitmentQuerySet(ScopedQuerySet):
    def with_progress(self):
        return self.select_related("agreement__unit", "agreement__community").annotate(
            progress_total=models.functions.Coalesce(
                models.Sum("progress_entries__amount"), Decimal("0"), output_field=models.DecimalField()
            )
        )


class CommitmentItem(models.Model):
    """One line of an agreement's service list (服务清单): what the unit promised, by when, and how far it got."""

    agreement = models.ForeignKey(
        CoBuildingAgreement, verbose_name=_("协议"), on_delete=models.CASCADE, related_name="items"
    )
    title = models.CharField(_("承诺事项"), max_length=200)
    kind = models.CharField(_("类别"), max_length=30, choices=CommitmentKind.choices)
    target = models.DecimalField(
        _("目标数量"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    measure = models.CharField(_("单位"), max_length=10, choices=CommitmentMeasure.choices, default="count")
    due_on = models.DateField(_("完成期限"))
    verified_at = models.DateTimeField(_("社区核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("核实人"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    source_need = models.OneToOneField(
        "cobuilding.CommunityNeed", verbose_name=_("对接需求"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="commitment",
    )  # fmt: skip

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = CommitmentQuerySet.as_manager()

    scope_paths = {"org": "agreement__community", "unit": "agreement__unit"}

    class Meta:
        verbose_name = _("承诺事项")
        verbose_name_plural = _("承诺事项")
        ordering = ["due_on", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_fulfilled(self) -> bool:
        """Fulfilled means the community verified it; a unit's own progress reports alone do not count."""
        return self.verified_at is not None

    def clean(self) -> None:
        super().clean()
        if self.target is not None and self.target <= 0:
            raise ValidationError({"target": _("目标数量须大于 0。")})


class CommitmentProgress(models.Model):
    item = models.ForeignKey(
        CommitmentItem, verbose_name=_("承诺事项"), on_delete=models.CASCADE, related_name="progress_entries"
    )
    reported_on = models.DateField(_("日期"), default=timezone.localdate)
    amount = models.DecimalField(
        _("完成数量"), max_digits=12, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))]
    )
    note = models.TextField(_("说明"), blank=True)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "item__agreement__community", "unit": "item__agreement__unit"}

    class Meta:
        verbose_name = _("承诺进展")
        verbose_name_plural = _("承诺进展")
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return f"{self.item} +{self.amount}"

    def clean(self) -> None:
        super().clean()
        if self.reported_on and self.reported_on > timezone.localdate():
            raise ValidationError({"reported_on": _("日期不能晚于今天。")})
