"""Grids (网格) and what lies in them: buildings and households. "地不漏房，房不漏户" lives here."""

from typing import ClassVar

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey

from core.validators import clean_phone_field
from grids.querysets import BuildingQuerySet, GridQuerySet, GridRoleQuerySet, HouseholdQuerySet, VisitQuerySet
from grids.validators import validate_outline
from orgs.rules import Level


class GridLevel(models.IntegerChoices):
    FIRST = 1, _("一级网格")
    SECOND = 2, _("二级网格")
    THIRD = 3, _("三级网格")


# Named first: mypy's Django plugin follows from_queryset() only when it is assigned, not used as a base class.
_GridTreeManager = TreeManager.from_queryset(GridQuerySet)


class GridManager(_GridTreeManager):
    pass


class Grid(MPTTModel):
    community = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("所属社区"),
        on_delete=models.PROTECT,
        related_name="grids",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    parent = TreeForeignKey(
        "self", verbose_name=_("上级网格"), on_delete=models.PROTECT, null=True, blank=True, related_name="children"
    )
    grid_level = models.PositiveSmallIntegerField(_("网格级别"), choices=GridLevel.choices, default=GridLevel.THIRD)
    code = models.CharField(_("网格编码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    boundary = models.TextField(_("四至范围"), blank=True)
    outline = models.JSONField(
        _("轮廓（GeoJSON）"), null=True, blank=True, validators=[validate_outline], help_text=_("可选，Polygon 坐标。")
    )
    branch = models.OneToOneField(
        "orgs.Organization",
        verbose_name=_("网格党支部"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid",
        limit_choices_to={"level": Level.GRID_BRANCH},
    )
    is_active = models.BooleanField(_("有效"), default=True)

    objects: ClassVar[GridManager] = GridManager()

    scope_paths = {"org": "community", "grid": ""}

    class MPTTMeta:
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("网格")
        verbose_name_plural = _("网格")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        if self.parent_id is None and self.grid_level != GridLevel.FIRST and self._community_has_first_level():
            errors["parent"] = ValidationError(_("该社区已划分一级网格，二、三级网格须选择上级网格。"), code="parent")
        if self.parent_id is not None:
            if self.parent.grid_level >= self.grid_level:
                errors["grid_level"] = ValidationError(_("网格级别须低于上级网格。"), code="level_order")
            if self.community_id and self.parent.community_id != self.community_id:
                errors["parent"] = ValidationError(_("上级网格须属于同一社区。"), code="other_community")
        if self.community_id and self.community.level != Level.COMMUNITY:
            errors["community"] = ValidationError(_("网格须设在社区之下。"), code="community_level")
        if self.branch_id:
            if self.branch.level != Level.GRID_BRANCH:
                errors["branch"] = ValidationError(_("只能关联网格党支部。"), code="branch_level")
            elif self.community_id and not self.branch.is_descendant_of(self.community):
                errors["branch"] = ValidationError(_("网格党支部须属于同一社区。"), code="branch_community")
        if errors:
            raise ValidationError(errors)

    def _community_has_first_level(self) -> bool:
        return (
            bool(self.community_id)
            and Grid.objects.filter(community_id=self.community_id, grid_level=GridLevel.FIRST)
            .exclude(pk=self.pk)
            .exists()
        )


class GridDuty(models.TextChoices):
    GRID_HEAD = "grid_head", _("网格长")
    FULL_TIME_WORKER = "full_time_worker", _("专职网格员")
    PART_TIME_WORKER = "part_time_worker", _("兼职网格员")
    BUILDING_HEAD = "building_head", _("楼长")
    ALLEY_HEAD = "alley_head", _("巷长")
    INSTRUCTOR = "instructor", _("网格指导员")


# Duties whose holders, when they have a login, work the grid on the grid-worker pages.
WORKER_DUTIES = frozenset({GridDuty.GRID_HEAD, GridDuty.FULL_TIME_WORKER, GridDuty.PART_TIME_WORKER})


class GridRole(models.Model):
    grid = TreeForeignKey(Grid, verbose_name=_("网格"), on_delete=models.CASCADE, related_name="roles")
    duty = models.CharField(_("职责"), max_length=20, choices=GridDuty.choices)
    name = models.CharField(_("姓名"), max_length=50)
    phone = models.CharField(_("电话"), max_length=20, blank=True)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("登录账号"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="grid_roles",
    )
    party_member = models.ForeignKey(
        "orgs.PartyMember", verbose_name=_("党员"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    started_on = models.DateField(_("开始日期"), default=timezone.localdate)
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)

    objects = GridRoleQuerySet.as_manager()

    scope_paths = {"org": "grid__community", "grid": "grid"}

    class Meta:
        verbose_name = _("网格职责")
        verbose_name_plural = _("网格职责")
        ordering = ["grid_id", "duty", "name"]

    def __str__(self) -> str:
        return f"{self.grid} {self.get_duty_display()} {self.name}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        clean_phone_field(self, "phone", errors)
        if self.ended_on and self.started_on and self.ended_on < self.started_on:
            errors["ended_on"] = ValidationError(_("结束日期不能早于开始日期。"), code="end_before_start")
        if errors:
            raise ValidationError(errors)


class BuildingKind(models.TextChoices):
    RESIDENTIAL = "residential", _("住宅")
    COMMERCIAL = "commercial", _("商业")
    MIXED = "mixed", _("商住混合")
    BUNGALOW = "bungalow", _("平房/巷弄")


class Building(models.Model):
    grid = TreeForeignKey(Grid, verbose_name=_("网格"), on_delete=models.PROTECT, related_name="buildings")
    name = models.CharField(_("楼栋号/名称"), max_length=100)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    floors = models.PositiveSmallIntegerField(_("层数"), null=True, blank=True)
    units = models.PositiveSmallIntegerField(_("单元数"), null=True, blank=True)
    kind = models.CharField(_("类型"), max_length=20, choices=BuildingKind.choices, default=BuildingKind.RESIDENTIAL)
    party_group = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("楼栋党小组"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="buildings",
        limit_choices_to={"level": Level.BUILDING_GROUP},
    )
    # When the dashboards last need to look again at this building's grid (dashboards' incremental refresh).
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)

    objects = BuildingQuerySet.as_manager()

    scope_paths = {"org": "grid__community", "grid": "grid"}

    class Meta:
        verbose_name = _("楼栋")
        verbose_name_plural = _("楼栋")
        ordering = ["grid_id", "name"]
        constraints = [
            models.UniqueConstraint(
                fields=["grid", "name"], name="unique_building_name_in_grid",
                violation_error_message=_("该网格内已有同名楼栋。"),
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        if self.party_group_id and self.party_group.level != Level.BUILDING_GROUP:
            raise ValidationError({"party_group": _("只能关联楼栋党小组。")})


class HouseholdKind(models.TextChoices):
    REGISTERED = "registered", _("户籍户")
    RENTING = "renting", _("租住户")
    VACANT = "vacant", _("空置")
    BUSINESS = "business", _("经营户")


class Household(models.Model):
    label: str  # not a field: the name a list gives it (residents.selectors.label_households)

    building = models.ForeignKey(Building, verbose_name=_("楼栋"), on_delete=models.PROTECT, related_name="households")
    unit = models.CharField(_("单元"), max_length=20, blank=True)
    room = models.CharField(_("门牌/房号"), max_length=20)
    kind = models.CharField(_("户类型"), max_length=20, choices=HouseholdKind.choices, default=HouseholdKind.REGISTERED)
    head = models.ForeignKey(
        "residents.Resident",
        verbose_name=_("户主"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True, db_index=True)  # for the dashboards' refresh

    objects = HouseholdQuerySet.as_manager()

    scope_paths = {"org": "building__grid__community", "grid": "building__grid"}

    class Meta:
        verbose_name = _("户")
        verbose_name_plural = _("户")
        ordering = ["building_id", "unit", "room"]
        constraints = [
            models.UniqueConstraint(
                fields=["building", "unit", "room"], name="unique_room_in_building",
                violation_error_message=_("该楼栋已有相同单元和房号的户。"),
            )
        ]  # fmt: skip

    def __str__(self) -> str:
        unit = f"{self.unit}-" if self.unit else ""
        return f"{self.building} {unit}{self.room}"

    def name_in_grid(self) -> str:
        """The short name led by the grid's: two grids may each have a "1栋 1-402" (select building__grid)."""
        return f"{self.building.grid.name} {self}"

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        clean_phone_field(self, "phone", errors)
        if self.head_id and self.pk and self.head.household_id != self.pk:
            errors["head"] = ValidationError(_("户主须是本户成员。"), code="head_not_member")
        if errors:
            raise ValidationError(errors)


class VisitKind(models.TextChoices):
    ROUTINE = "routine", _("日常走访")
    MUST_ATTEND = "must_attend", _("三必到（红白喜事、突发事件）")
    CARE = "care", _("五必访（关爱走访）")
    MEDIATION = "mediation", _("矛盾调解")
    INFO_CHECK = "info_check", _("信息核查")


class Visit(models.Model):
    household = models.ForeignKey(Household, verbose_name=_("户"), on_delete=models.PROTECT, related_name="visits")
    visitor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("走访人"), on_delete=models.PROTECT, related_name="visits"
    )
    visited_on = models.DateField(_("走访日期"), default=timezone.localdate, db_index=True)
    kind = models.CharField(_("走访类型"), max_length=20, choices=VisitKind.choices, default=VisitKind.ROUTINE)
    notes = models.TextField(_("情况记录"), blank=True)
    follow_up_needed = models.BooleanField(_("需要后续处理"), default=False)
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = VisitQuerySet.as_manager()

    scope_paths = {"org": "household__building__grid__community", "grid": "household__building__grid"}

    class Meta:
        verbose_name = _("走访记录")
        verbose_name_plural = _("走访记录")
        ordering = ["-visited_on", "-id"]
        indexes = [models.Index(fields=["household", "visited_on"])]

    def __str__(self) -> str:
        return f"{self.household} {self.visited_on}"

    def clean(self) -> None:
        super().clean()
        if self.visited_on and self.visited_on > timezone.localdate():
            raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
