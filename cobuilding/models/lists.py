"""Needs and resources lists (需求清单, 资源清单), deputies' duty roster, and democratic evaluation (民主评议)."""

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from cobuilding.models.agreements import CommitmentKind
from core.scoping import ScopedQuerySet
from orgs.rules import Level


class NeedStatus(models.TextChoices):
    OPEN = "open", _("待对接")
    MATCHED = "matched", _("已对接")
    CLOSED = "closed", _("已关闭")


class CommunityNeed(models.Model):
    community = models.ForeignKey(
        "orgs.Organization", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="needs",
        limit_choices_to={"level": Level.COMMUNITY},
    )  # fmt: skip
    title = models.CharField(_("需求"), max_length=200)
    kind = models.CharField(_("类别"), max_length=30, choices=CommitmentKind.choices)
    description = models.TextField(_("说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=NeedStatus.choices, default=NeedStatus.OPEN)
    published_on = models.DateField(_("发布日期"), default=timezone.localdate)

    objects = ScopedQuerySet.as_manager()

    # Needs are published: every liaison may read the open needs of the communities their unit reports to.
    scope_paths = {"org": "community", "unit": "community__unit_reports__unit"}

    class Meta:
        verbose_name = _("社区需求")
        verbose_name_plural = _("社区需求清单")
        ordering = ["-published_on", "id"]

    def __str__(self) -> str:
        return self.title


class UnitResource(models.Model):
    unit = models.ForeignKey(
        "cobuilding.ResidentUnit", verbose_name=_("驻区单位"), on_delete=models.CASCADE, related_name="resources"
    )
    title = models.CharField(_("资源"), max_length=200)
    kind = models.CharField(_("类别"), max_length=30, choices=CommitmentKind.choices)
    description = models.TextField(_("说明"), blank=True)
    is_available = models.BooleanField(_("可提供"), default=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "unit__reports__community", "unit": "unit"}

    class Meta:
        verbose_name = _("单位资源")
        verbose_name_plural = _("单位资源清单")
        ordering = ["unit_id", "title"]

    def __str__(self) -> str:
        return self.title


class DeputyKind(models.TextChoices):
    PARTY_CONGRESS = "party_congress", _("党代表")
    PEOPLES_CONGRESS = "peoples_congress", _("人大代表")
    CPPCC = "cppcc", _("政协委员")


class DeputyDuty(models.Model):
    """两代表一委员工作室: who sits at which community's office, when."""

    community = models.ForeignKey(
        "orgs.Organization", verbose_name=_("社区"), on_delete=models.PROTECT, related_name="deputy_duties",
        limit_choices_to={"level": Level.COMMUNITY},
    )  # fmt: skip
    deputy_name = models.CharField(_("代表/委员姓名"), max_length=50)
    deputy_kind = models.CharField(_("身份"), max_length=30, choices=DeputyKind.choices)
    starts_at = models.DateTimeField(_("开始时间"))
    ends_at = models.DateTimeField(_("结束时间"))

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "community"}

    class Meta:
        verbose_name = _("代表委员值班")
        verbose_name_plural = _("代表委员值班")
        ordering = ["-starts_at"]

    def __str__(self) -> str:
        return f"{self.deputy_name} {timezone.localtime(self.starts_at):%Y-%m-%d}"

    def clean(self) -> None:
        super().clean()
        if self.starts_at and self.ends_at and self.ends_at <= self.starts_at:
            raise ValidationError({"ends_at": _("结束时间须晚于开始时间。")})


class DeputyMatter(models.Model):
    duty = models.ForeignKey(DeputyDuty, verbose_name=_("值班"), on_delete=models.CASCADE, related_name="matters")
    raised_by = models.CharField(_("反映人"), max_length=50)
    summary = models.TextField(_("反映事项"))
    ticket_reference = models.CharField(_("转办工单号"), max_length=40, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "duty__community"}

    class Meta:
        verbose_name = _("群众反映事项")
        verbose_name_plural = _("群众反映事项")

    def __str__(self) -> str:
        return self.summary[:40]


class EvaluationRound(models.Model):
    """A yearly democratic evaluation (民主评议) run by a street or community over the units reporting to it."""

    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("组织方"), on_delete=models.PROTECT, related_name="evaluation_rounds"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    opens_on = models.DateField(_("开始日期"))
    closes_on = models.DateField(_("截止日期"))

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "organization"}

    class Meta:
        verbose_name = _("民主评议")
        verbose_name_plural = _("民主评议")
        ordering = ["-year", "id"]
        constraints = [models.UniqueConstraint(fields=["organization", "year"], name="one_round_per_org_year")]

    def __str__(self) -> str:
        return f"{self.organization} {self.year}"

    def clean(self) -> None:
        super().clean()
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": _("截止日期不能早于开始日期。")})


class RaterKind(models.TextChoices):
    RESIDENT = "resident", _("居民")
    PARTY_MEMBER = "party_member", _("党员")


class EvaluationRating(models.Model):
    round = models.ForeignKey(EvaluationRound, verbose_name=_("评议"), on_delete=models.CASCADE, related_name="ratings")
    unit = models.ForeignKey(
        "cobuilding.ResidentUnit", verbose_name=_("被评单位"), on_delete=models.PROTECT, related_name="ratings"
    )
    rater_kind = models.CharField(_("评议人类别"), max_length=20, choices=RaterKind.choices)
    score = models.PositiveSmallIntegerField(_("评分"), validators=[MinValueValidator(1), MaxValueValidator(5)])
    comment = models.TextField(_("意见"), blank=True)
    created_at = models.DateTimeField(_("评议时间"), auto_now_add=True)

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "round__organization", "unit": "unit"}

    class Meta:
        verbose_name = _("评议打分")
        verbose_name_plural = _("评议打分")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.unit} {self.score}"
