"""Dispute cases (调解案件): who quarrels, who mediates, each session, and how it ended.

A case belongs to a community and, when a grid worker mediates it, to a grid; both are how it is scoped. It can
start from a visit or a ticket (and those pages list the cases that started from them). Its status moves only through
mediation.services, along the table in mediation.transitions.
"""

from typing import TYPE_CHECKING

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from core.validators import clean_phone_field
from mediation.querysets import DisputeCaseQuerySet
from orgs.rules import Level

if TYPE_CHECKING:
    from django_stubs_ext import StrPromise

REFERENCE_PREFIX = "TJ"
MIN_PARTIES = 2


class DisputeKind(models.TextChoices):
    NEIGHBOUR = "neighbour", _("邻里纠纷")
    FAMILY = "family", _("婚姻家庭纠纷")
    PROPERTY = "property", _("物业纠纷")
    TENANCY = "tenancy", _("房屋租赁纠纷")
    LABOUR = "labour", _("劳动争议")
    DEBT = "debt", _("债务纠纷")
    OTHER = "other", _("其他纠纷")


class CaseStatus(models.TextChoices):
    OPEN = "open", _("已受理")
    IN_MEDIATION = "in_mediation", _("调解中")
    AGREED = "agreed", _("调解成功")
    REFERRED = "referred", _("已移交")
    FAILED = "failed", _("调解未成")


# Where a case has ended: an outcome is recorded and the case no longer takes sessions.
CONCLUDED_STATUSES = frozenset({CaseStatus.AGREED, CaseStatus.REFERRED, CaseStatus.FAILED})


class DisputeCase(models.Model):
    reference = models.CharField(_("案件编号"), max_length=30, unique=True, null=True, blank=True, editable=False)
    community = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所属社区"), on_delete=models.PROTECT, related_name="dispute_cases",
        limit_choices_to={"level": Level.COMMUNITY},
    )  # fmt: skip
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("网格"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="dispute_cases",
    )  # fmt: skip
    kind = models.CharField(_("纠纷类型"), max_length=20, choices=DisputeKind.choices, default=DisputeKind.NEIGHBOUR)
    summary = models.TextField(_("纠纷简要情况"))
    status = models.CharField(
        _("状态"), max_length=20, choices=CaseStatus.choices, default=CaseStatus.OPEN, db_index=True
    )
    mediator = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("调解员"), on_delete=models.PROTECT, related_name="mediated_cases"
    )
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    opened_at = models.DateTimeField(_("受理时间"), default=timezone.now, db_index=True)
    source_visit = models.ForeignKey(
        "grids.Visit", verbose_name=_("来源走访"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mediation_cases",
    )  # fmt: skip
    source_ticket = models.ForeignKey(
        "services.Ticket", verbose_name=_("来源工单"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mediation_cases",
    )  # fmt: skip
    # The outcome: one of the three texts below, by status (see clean()).
    concluded_at = models.DateTimeField(_("结案时间"), null=True, blank=True)
    agreement_text = models.TextField(_("调解协议内容"), blank=True)
    referred_to = models.CharField(_("移交单位"), max_length=200, blank=True)
    failure_reason = models.TextField(_("未成原因"), blank=True)
    # The return visit after the outcome (回访): did the agreement hold?
    follow_up_on = models.DateField(_("回访日期"), null=True, blank=True)
    follow_up_visit = models.ForeignKey(
        "grids.Visit", verbose_name=_("回访记录"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="mediation_follow_ups",
    )  # fmt: skip
    follow_up_notes = models.TextField(_("回访情况"), blank=True)

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = DisputeCaseQuerySet.as_manager()

    scope_paths = {"org": "community", "grid": "grid"}

    class Meta:
        verbose_name = _("调解案件")
        verbose_name_plural = _("调解案件")
        ordering = ["-opened_at", "-id"]
        indexes = [models.Index(fields=["community", "status"])]

    def __str__(self) -> str:
        return self.reference or str(_("调解案件（未编号）"))

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        self._check_place(errors)
        self._check_outcome(errors)
        self._check_dates(errors)
        if errors:
            raise ValidationError(errors)

    def _check_place(self, errors: dict) -> None:
        if self.community_id and self.community.level != Level.COMMUNITY:
            errors["community"] = ValidationError(_("调解案件须归属于社区。"), code="community_level")
        if self.community_id and self.grid is not None and self.grid.community_id != self.community_id:
            errors["grid"] = ValidationError(_("网格须属于所选社区。"), code="grid_community")
        ticket = self.source_ticket if self.community_id else None
        if ticket is not None and ticket.community_id != self.community_id:
            errors["source_ticket"] = ValidationError(_("来源工单须属于同一社区。"), code="ticket_community")
        visit = self.source_visit if self.grid_id else None
        if visit is not None and visit.household.building.grid_id != self.grid_id:
            errors["source_visit"] = ValidationError(_("来源走访须在本网格内。"), code="visit_grid")

    def _check_outcome(self, errors: dict) -> None:
        required: dict[str, tuple[str, StrPromise]] = {
            CaseStatus.AGREED: ("agreement_text", _("调解成功须填写调解协议内容。")),
            CaseStatus.REFERRED: ("referred_to", _("移交须填写接收单位。")),
            CaseStatus.FAILED: ("failure_reason", _("调解未成须说明原因。")),
        }
        if self.status in required:
            field, message = required[self.status]
            if not (getattr(self, field) or "").strip():
                errors[field] = ValidationError(message, code="outcome_required")
            if self.concluded_at is None:
                errors["concluded_at"] = ValidationError(_("请填写结案时间。"), code="concluded_at_required")
        elif self.concluded_at is not None:
            errors["concluded_at"] = ValidationError(_("案件尚未结案，不能填写结案时间。"), code="not_concluded")
        if (self.follow_up_on or self.follow_up_visit_id) and self.status not in CONCLUDED_STATUSES:
            errors["follow_up_on"] = ValidationError(_("结案后才能回访。"), code="follow_up_before_outcome")

    def _check_dates(self, errors: dict) -> None:
        if self.opened_at and self.opened_at > timezone.now():
            errors["opened_at"] = ValidationError(_("受理时间不能晚于现在。"), code="opened_in_future")
        if self.concluded_at and self.opened_at and self.concluded_at < self.opened_at:
            errors["concluded_at"] = ValidationError(_("结案时间不能早于受理时间。"), code="concluded_before_opened")
        if self.follow_up_on and self.concluded_at and self.follow_up_on < timezone.localdate(self.concluded_at):
            errors["follow_up_on"] = ValidationError(_("回访日期不能早于结案日期。"), code="follow_up_before_outcome")

    @property
    def is_concluded(self) -> bool:
        return self.status in CONCLUDED_STATUSES

    def assign_reference(self) -> None:
        """TJ-20260701-00042: the opening day and the row's id, so it never collides and needs no counter."""
        self.reference = f"{REFERENCE_PREFIX}-{timezone.localtime(self.opened_at):%Y%m%d}-{self.pk:05d}"


class DisputeParty(models.Model):
    """One side of a dispute: a registered resident, or a name and phone for someone who is not."""

    case = models.ForeignKey(DisputeCase, verbose_name=_("调解案件"), on_delete=models.CASCADE, related_name="parties")
    resident = models.ForeignKey(
        "residents.Resident", verbose_name=_("居民"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="dispute_parties",
    )  # fmt: skip
    name = models.CharField(_("姓名"), max_length=50, blank=True)
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "case__community", "grid": "case__grid"}

    class Meta:
        verbose_name = _("当事人")
        verbose_name_plural = _("当事人")
        ordering = ["case_id", "id"]

    def __str__(self) -> str:
        return self.display_name

    @property
    def display_name(self) -> str:
        return self.resident.name if self.resident is not None else self.name

    @property
    def contact_phone(self) -> str:
        return self.phone or (self.resident.phone if self.resident is not None else "")

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        clean_phone_field(self, "phone", errors)
        if not self.resident_id and not self.name.strip():
            errors["name"] = ValidationError(_("请选择居民，或填写当事人姓名。"), code="party_name")
        if errors:
            raise ValidationError(errors)


class MediationSession(models.Model):
    """One sitting of the mediation: when, where, who came, what was said."""

    case = models.ForeignKey(DisputeCase, verbose_name=_("调解案件"), on_delete=models.CASCADE, related_name="sessions")
    held_at = models.DateTimeField(_("调解时间"), default=timezone.now)
    place = models.CharField(_("调解地点"), max_length=200, blank=True)
    attendees = models.CharField(_("参加人员"), max_length=500, blank=True)
    notes = models.TextField(_("调解记录"))
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "case__community", "grid": "case__grid"}

    class Meta:
        verbose_name = _("调解记录")
        verbose_name_plural = _("调解记录")
        ordering = ["case_id", "held_at", "id"]

    def __str__(self) -> str:
        return f"{self.case} {timezone.localtime(self.held_at):%Y-%m-%d %H:%M}" if self.held_at else str(self.case)

    def clean(self) -> None:
        super().clean()
        if not self.held_at or not self.case_id:
            return
        if self.held_at > timezone.now():
            raise ValidationError({"held_at": ValidationError(_("调解时间不能晚于现在。"), code="held_in_future")})
        if self.held_at < self.case.opened_at:
            raise ValidationError(
                {"held_at": ValidationError(_("调解时间不能早于案件受理时间。"), code="held_before_opened")}
            )
