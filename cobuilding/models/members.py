"""In-service Party members reporting to their home community (个人报到, 双报到双反馈) and linked households."""

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from orgs.models import MemberKind
from orgs.rules import Level


def _units_own_members(member_path: str):
    """A unit reaches the reports and feedback of its own members: those whose Party organization is the unit's."""

    def condition(unit) -> Q:
        if not unit.party_organization_id:
            return Q(pk__in=[])
        return Q(**{f"{member_path}__organization_id": unit.party_organization_id})

    return condition


class MemberReport(models.Model):
    member = models.ForeignKey(
        "orgs.PartyMember", verbose_name=_("在职党员"), on_delete=models.PROTECT, related_name="community_reports"
    )
    community = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("报到社区"),
        on_delete=models.PROTECT,
        related_name="member_reports",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    reported_on = models.DateField(_("报到日期"), default=timezone.localdate)
    service_post = models.CharField(_("认领岗位"), max_length=100, blank=True)
    is_active = models.BooleanField(_("在册"), default=True)

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "community", "unit": _units_own_members("member")}

    class Meta:
        verbose_name = _("在职党员报到")
        verbose_name_plural = _("在职党员报到")
        ordering = ["-reported_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(is_active=True),
                name="one_active_home_community_per_member",
                violation_error_code="unique",  # reported beside the field, not as a form-wide error
                violation_error_message=_("该党员已向一个社区报到。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.community}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.member_id and self.member.kind != MemberKind.IN_SERVICE:
            errors["member"] = ValidationError(_("只有在职党员需要到社区报到。"), code="not_in_service")
        if self.community_id and self.community.level != Level.COMMUNITY:
            errors["community"] = ValidationError(_("只能向社区报到。"), code="community_level")
        if self.reported_on and self.reported_on > timezone.localdate():
            errors["reported_on"] = ValidationError(_("报到日期不能晚于今天。"), code="future")
        if errors:
            raise ValidationError(errors)


class MemberParticipation(models.Model):
    report = models.ForeignKey(
        MemberReport, verbose_name=_("报到记录"), on_delete=models.CASCADE, related_name="participations"
    )
    took_part_on = models.DateField(_("日期"), default=timezone.localdate)
    activity = models.CharField(_("活动"), max_length=200)
    hours = models.DecimalField(
        _("时长（小时）"), max_digits=6, decimal_places=1, validators=[MinValueValidator(Decimal("0.1"))]
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "report__community"}

    class Meta:
        verbose_name = _("参与记录")
        verbose_name_plural = _("参与记录")
        ordering = ["-took_part_on", "-id"]

    def __str__(self) -> str:
        return self.activity

    def clean(self) -> None:
        super().clean()
        if self.took_part_on and self.took_part_on > timezone.localdate():
            raise ValidationError({"took_part_on": _("日期不能晚于今天。")})


class FeedbackRating(models.TextChoices):
    EXCELLENT = "excellent", _("优秀")
    GOOD = "good", _("良好")
    FAIR = "fair", _("一般")
    POOR = "poor", _("较差")


class MemberFeedback(models.Model):
    """The community's yearly word on a member, which the member's unit fetches: the second half of 双反馈."""

    report = models.ForeignKey(
        MemberReport, verbose_name=_("报到记录"), on_delete=models.CASCADE, related_name="feedback"
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[MinValueValidator(2000), MaxValueValidator(2100)])
    rating = models.CharField(_("评价"), max_length=20, choices=FeedbackRating.choices)
    comment = models.TextField(_("评语"), blank=True)
    created_at = models.DateTimeField(_("评价时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "report__community", "unit": _units_own_members("report__member")}

    class Meta:
        verbose_name = _("社区反馈评价")
        verbose_name_plural = _("社区反馈评价")
        ordering = ["-year", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "year"], name="one_feedback_per_report_year",
                violation_error_message=_("该党员本年度已有评价。"),
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return f"{self.report.member} {self.year} {self.get_rating_display()}"


class LinkedHousehold(models.Model):
    """联点进户: an in-service member or cadre linked to households in their home community, visiting them."""

    report = models.ForeignKey(
        MemberReport, verbose_name=_("报到记录"), on_delete=models.CASCADE, related_name="linked_households"
    )
    household = models.ForeignKey(
        "grids.Household", verbose_name=_("联系户"), on_delete=models.PROTECT, related_name="linked_members"
    )
    since = models.DateField(_("联系开始"), default=timezone.localdate)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "report__community"}

    class Meta:
        verbose_name = _("联点进户")
        verbose_name_plural = _("联点进户")
        constraints = [models.UniqueConstraint(fields=["report", "household"], name="unique_linked_household")]

    def __str__(self) -> str:
        return f"{self.report.member} ↔ {self.household}"

    def clean(self) -> None:
        super().clean()
        if self.report_id and self.household_id:
            community = self.household.building.grid.community
            if community.pk != self.report.community_id:
                raise ValidationError({"household": _("联系户须在党员报到的社区内。")})


class LinkedVisit(models.Model):
    link = models.ForeignKey(
        LinkedHousehold, verbose_name=_("联点进户"), on_delete=models.CASCADE, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"), default=timezone.localdate)
    notes = models.TextField(_("情况记录"), blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "link__report__community"}

    class Meta:
        verbose_name = _("联系户走访")
        verbose_name_plural = _("联系户走访")
        ordering = ["-visited_on", "-id"]

    def __str__(self) -> str:
        return f"{self.link} {self.visited_on}"

    def clean(self) -> None:
        super().clean()
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
