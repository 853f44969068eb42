"""The Party organization tree (the core of the concentric circle), its members and their posts."""

from typing import ClassVar

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from mptt.managers import TreeManager
from mptt.models import MPTTModel, TreeForeignKey

from core.validators import FEMALE, MALE, clean_id_card_fields, clean_phone_field
from orgs.querysets import OrganizationQuerySet, OrgPositionQuerySet, PartyMemberQuerySet
from orgs.rules import ALLOWED_CHILDREN, Level, check_placement

# Named first: mypy's Django plugin follows from_queryset() only when it is assigned, not used as a base class.
_OrganizationTreeManager = TreeManager.from_queryset(OrganizationQuerySet)


class OrganizationManager(_OrganizationTreeManager):
    pass


class Organization(MPTTModel):
    name = models.CharField(_("名称"), max_length=100)
    code = models.CharField(_("组织代码"), max_length=40, unique=True)
    level = models.CharField(_("组织层级"), max_length=20, choices=Level.choices, db_index=True)
    parent = TreeForeignKey(
        "self",
        verbose_name=_("上级组织"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
    )
    secretary = models.ForeignKey(
        "orgs.PartyMember",
        verbose_name=_("书记"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    phone = models.CharField(_("联系电话"), max_length=20, blank=True)
    address = models.CharField(_("地址"), max_length=200, blank=True)
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    is_active = models.BooleanField(_("有效"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects: ClassVar[OrganizationManager] = OrganizationManager()

    scope_paths = {"org": ""}

    class MPTTMeta:
        # mptt's default depth attribute is "level", which our organization level would shadow.
        level_attr = "depth"
        order_insertion_by = ["code"]

    class Meta:
        verbose_name = _("党组织")
        verbose_name_plural = _("党组织")

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        clean_phone_field(self, "phone", errors)
        if self.founded_on and self.founded_on > timezone.localdate():
            errors["founded_on"] = ValidationError(_("成立日期不能晚于今天。"), code="future")
        if self.level:
            try:
                self._check_tree_position()
            except ValidationError as exc:
                errors["parent"] = exc
            try:
                self._check_children_still_allowed()
            except ValidationError as exc:
                # The level is what changed when existing children no longer fit: say so beside that field.
                errors["level"] = exc
        if errors:
            raise ValidationError(errors)

    def _check_tree_position(self) -> None:
        parent = self.parent
        if parent is not None and self.pk and (parent.pk == self.pk or self._is_ancestor_of(parent)):
            raise ValidationError(_("不能把组织移到它自己或它的下级之下。"), code="cycle")
        check_placement(self.level, parent.level if parent else None)

    def _is_ancestor_of(self, other: "Organization") -> bool:
        # Compare against the stored tree numbers: `self` may hold unsaved edits.
        stored = type(self).objects.filter(pk=self.pk).values("tree_id", "lft", "rght").first()
        return stored is not None and other.tree_id == stored["tree_id"] and stored["lft"] < other.lft < stored["rght"]

    def _check_children_still_allowed(self) -> None:
        if not self.pk:
            return
        allowed = ALLOWED_CHILDREN.get(self.level, frozenset())
        bad = self.children.exclude(level__in=allowed).values_list("level", flat=True).first()
        if bad:
            check_placement(bad, self.level)


class Gender(models.TextChoices):
    MALE = MALE, _("男")
    FEMALE = FEMALE, _("女")


class MemberKind(models.TextChoices):
    REGULAR = "regular", _("直管党员")
    IN_SERVICE = "in_service", _("在职党员")
    RETIRED = "retired", _("离退休党员")
    MOBILE = "mobile", _("流动党员")


class PartyMember(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    gender = models.CharField(
        _("性别"), max_length=10, choices=Gender.choices, blank=True, help_text=_("留空则按身份证号自动填写。")
    )
    birth_date = models.DateField(_("出生日期"), null=True, blank=True, help_text=_("留空则按身份证号自动填写。"))
    id_number = models.CharField(_("身份证号"), max_length=18)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    joined_on = models.DateField(_("入党日期"), null=True, blank=True)
    kind = models.CharField(_("党员类别"), max_length=20, choices=MemberKind.choices, default=MemberKind.REGULAR)
    organization = TreeForeignKey(
        Organization, verbose_name=_("所在党组织"), on_delete=models.PROTECT, related_name="members"
    )
    is_central_household = models.BooleanField(_("党员中心户"), default=False)
    is_active = models.BooleanField(_("在册"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = PartyMemberQuerySet.as_manager()

    scope_paths = {"org": "organization"}

    class Meta:
        verbose_name = _("党员")
        verbose_name_plural = _("党员")
        ordering = ["organization_id", "name", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(is_active=True),
                name="unique_active_member_id_number",
                violation_error_code="unique",  # reported beside the field, not as a form-wide error
                violation_error_message=_("已有在册党员使用此身份证号。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def years_of_membership(self) -> int | None:
        if not self.joined_on:
            return None
        today = timezone.localdate()
        before_anniversary = (today.month, today.day) < (self.joined_on.month, self.joined_on.day)
        return today.year - self.joined_on.year - before_anniversary

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        clean_id_card_fields(self, errors)
        clean_phone_field(self, "phone", errors)
        if self.joined_on and self.joined_on > timezone.localdate():
            errors["joined_on"] = ValidationError(_("入党日期不能晚于今天。"), code="future")
        elif self.joined_on and self.birth_date and self.joined_on < self.birth_date:
            errors["joined_on"] = ValidationError(_("入党日期不能早于出生日期。"), code="before_birth")
        if errors:
            raise ValidationError(errors)


class PositionTitle(models.TextChoices):
    SECRETARY = "secretary", _("书记")
    DEPUTY_SECRETARY = "deputy_secretary", _("副书记")
    ORGANIZATION_MEMBER = "organization_member", _("组织委员")
    PUBLICITY_MEMBER = "publicity_member", _("宣传委员")
    DISCIPLINE_MEMBER = "discipline_member", _("纪检委员")
    UNITED_FRONT_MEMBER = "united_front_member", _("统战委员")
    YOUTH_MEMBER = "youth_member", _("青年委员")
    WOMEN_MEMBER = "women_member", _("妇女委员")
    COMMITTEE_MEMBER = "committee_member", _("委员")
    GROUP_LEADER = "group_leader", _("党小组长")


class CrossBody(models.TextChoices):
    """The self-governing and supervising bodies of "1311N" that a Party post may be cross-appointed to."""

    RESIDENTS_COMMITTEE = "residents_committee", _("居民委员会")
    SUPERVISION_COMMITTEE = "supervision_committee", _("居务监督委员会")
    CONSULTATION_COMMITTEE = "consultation_committee", _("协商议事委员会")
    COLLECTIVE_ECONOMY = "collective_economy", _("集体经济组织")


class CrossTitle(models.TextChoices):
    CHAIR = "chair", _("主任")
    VICE_CHAIR = "vice_chair", _("副主任")
    MEMBER = "member", _("委员")


class OrgPosition(models.Model):
    member = models.ForeignKey(PartyMember, verbose_name=_("党员"), on_delete=models.PROTECT, related_name="positions")
    organization = TreeForeignKey(
        Organization, verbose_name=_("党组织"), on_delete=models.PROTECT, related_name="positions"
    )
    title = models.CharField(_("职务"), max_length=30, choices=PositionTitle.choices)
    started_on = models.DateField(_("任职日期"))
    ended_on = models.DateField(_("离任日期"), null=True, blank=True)
    cross_body = models.CharField(_("交叉任职机构"), max_length=30, choices=CrossBody.choices, blank=True)
    cross_title = models.CharField(_("交叉任职职务"), max_length=20, choices=CrossTitle.choices, blank=True)

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = OrgPositionQuerySet.as_manager()

    scope_paths = {"org": "organization"}

    class Meta:
        verbose_name = _("组织职务")
        verbose_name_plural = _("组织职务")
        ordering = ["organization_id", "title", "started_on"]

    def __str__(self) -> str:
        return f"{self.organization} {self.get_title_display()} {self.member}"

    @property
    def is_current(self) -> bool:
        return self.ended_on is None or self.ended_on >= timezone.localdate()

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
        if self.started_on and self.ended_on and self.ended_on < self.started_on:
            errors["ended_on"] = ValidationError(_("离任日期不能早于任职日期。"), code="end_before_start")
        if bool(self.cross_body) != bool(self.cross_title):
            field = "cross_title" if self.cross_body else "cross_body"
            errors[field] = ValidationError(_("交叉任职需同时填写机构和职务。"), code="cross_incomplete")
        if errors:
            raise ValidationError(errors)
