"""Resident units (驻区单位) and their reporting to communities (单位报到)."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet, subtree_q
from core.validators import clean_phone_field
from orgs.rules import Level


class UnitKind(models.TextChoices):
    GOVERNMENT = "government", _("机关单位")
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    STATE_ENTERPRISE = "state_enterprise", _("国有企业")
    SCHOOL = "school", _("学校")
    HOSPITAL = "hospital", _("医院")
    PROPERTY_COMPANY = "property_company", _("物业公司")
    TWO_NEW_ENTERPRISE = "two_new_enterprise", _("非公企业")
    SOCIAL_ORGANIZATION = "social_organization", _("社会组织")
    COMMERCIAL_PARTNER = "commercial_partner", _("商户合作伙伴")


class PartnerCategory(models.TextChoices):
    """Linyi Hedong's five kinds of partner (合伙人)."""

    PROPERTY = "property", _("物业合伙人")
    DEPARTMENT = "department", _("部门合伙人")
    PUBLIC_WELFARE = "public_welfare", _("公益合伙人")
    RESIDENT_VOLUNTEER = "resident_volunteer", _("居民合伙人")
    COMMERCIAL = "commercial", _("商业合伙人")


def _unit_visible_to_org(node) -> Q:
    # A unit belongs to the street (or district) that registered it, and is seen by every community it reports
    # to: one unit shared by two communities is visible to both, while each sees only its own agreements.
    reported_here = UnitReport.objects.filter(subtree_q("community", node), unit=OuterRef("pk"))
    return subtree_q("registered_with", node) | Q(Exists(reported_here))


class ResidentUnitQuerySet(ScopedQuerySet):
    pass


class ResidentUnit(models.Model):
    name = models.CharField(_("单位名称"), max_length=100, unique=True)
    kind = models.CharField(_("单位类型"), max_length=30, choices=UnitKind.choices)
    partner_category = models.CharField(_("合伙人类别"), max_length=30, choices=PartnerCategory.choices, blank=True)
    registered_with = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("登记所在街道/区"),
        on_delete=models.PROTECT,
        related_name="registered_units",
        help_text=_("负责该单位报到管理的街道或区。"),
    )
    party_organization = models.OneToOneField(
        "orgs.Organization",
        verbose_name=_("单位党组织"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="resident_unit",
        limit_choices_to={"level__in": (Level.UNIT, Level.JOINT, Level.TWO_NEW)},
    )
    contact_person = models.CharField(_("联系人"), max_length=50, blank=True)
    contact_phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    party_member_count = models.PositiveIntegerField(_("党员人数"), default=0)
    is_active = models.BooleanField(_("有效"), default=True)

    objects = ResidentUnitQuerySet.as_manager()

    scope_paths = {"org": _unit_visible_to_org, "unit": ""}

    class Meta:
        verbose_name = _("驻区单位")
        verbose_name_plural = _("驻区单位")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors = {}
        clean_phone_field(self, "contact_phone", errors)
        if self.registered_with_id and self.registered_with.level not in (Level.STREET, Level.DISTRICT):
            errors["registered_with"] = ValidationError(_("驻区单位须登记在街道或区。"), code="registered_level")
        if self.party_organization_id and self.party_organization.level not in (
            Level.UNIT,
            Level.JOINT,
            Level.TWO_NEW,
        ):
            errors["party_organization"] = ValidationError(
                _("单位党组织须是驻区单位、两新或联合党组织。"), code="party_org_level"
            )
        if errors:
            raise ValidationError(errors)


class ReportStatus(models.TextChoices):
    ACTIVE = "active", _("在册")
    WITHDRAWN = "withdrawn", _("已撤回")


class UnitReportQuerySet(ScopedQuerySet):
    pass


class UnitReport(models.Model):
    """A unit reporting to a community (单位报到). A unit may report to several communities."""

    unit = models.ForeignKey(ResidentUnit, verbose_name=_("驻区单位"), on_delete=models.PROTECT, related_name="reports")
    community = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("报到社区"),
        on_delete=models.PROTECT,
        related_name="unit_reports",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    reported_on = models.DateField(_("报到日期"), default=timezone.localdate)
    liaison_name = models.CharField(_("联络员"), max_length=50)
    liaison_phone = models.CharField(_("联络员电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ReportStatus.choices, default=ReportStatus.ACTIVE)

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = UnitReportQuerySet.as_manager()

    scope_paths = {"org": "community", "unit": "unit"}

    class Meta:
        verbose_name = _("单位报到")
        verbose_name_plural = _("单位报到")
        ordering = ["-reported_on", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["unit", "community"],
                condition=Q(status="active"),
                name="unique_active_unit_report",
                violation_error_message=_("该单位已向此社区报到。"),
            )
        ]

    def __str__(self) -> str:
        return f"{self.unit} → {self.community}"

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.community_id and self.community.level != Level.COMMUNITY:
            errors["community"] = ValidationError(_("只能向社区报到。"), code="community_level")
        clean_phone_field(self, "liaison_phone", errors)
        if self.reported_on and self.reported_on > timezone.localdate():
            errors["reported_on"] = ValidationError(_("报到日期不能晚于今天。"), code="future")
        if errors:
            raise ValidationError(errors)
