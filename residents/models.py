"""Residents (户不漏人): who lives in each household, with the care the community owes them."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from pypinyin import Style, lazy_pinyin

from core.validators import clean_id_card_fields, clean_phone_field
from orgs.models import Gender
from residents.querysets import ResidenceHistoryQuerySet, ResidentQuerySet


class CareTag(models.Model):
    """A special-care group (空巢老人, 低保户...): an editable list, so a city can add its own."""

    code = models.SlugField(_("代码"), max_length=40, unique=True)
    name = models.CharField(_("名称"), max_length=50, unique=True)
    needs_care_visits = models.BooleanField(
        _("需定期关爱走访"), default=True, help_text=_("计入覆盖报告中“关爱户未按期走访”。")
    )
    sort_order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("关爱标签")
        verbose_name_plural = _("关爱标签")
        ordering = ["sort_order", "name"]

    def __str__(self) -> str:
        return self.name


class Relation(models.TextChoices):
    HEAD = "head", _("户主")
    SPOUSE = "spouse", _("配偶")
    CHILD = "child", _("子女")
    PARENT = "parent", _("父母")
    GRANDCHILD = "grandchild", _("孙辈")
    SIBLING = "sibling", _("兄弟姐妹")
    TENANT = "tenant", _("租户")
    OTHER = "other", _("其他")


class ResidenceStatus(models.TextChoices):
    REGISTERED = "registered", _("户籍人口")
    FLOATING = "floating", _("流动人口")
    MOVED_OUT = "moved_out", _("已迁出")
    DECEASED = "deceased", _("已故")


class PoliticalStatus(models.TextChoices):
    MASSES = "masses", _("群众")
    PARTY_MEMBER = "party_member", _("中共党员")
    PROBATIONARY = "probationary", _("中共预备党员")
    LEAGUE_MEMBER = "league_member", _("共青团员")
    DEMOCRATIC_PARTY = "democratic_party", _("民主党派")


class Resident(models.Model):
    name = models.CharField(_("姓名"), max_length=50)
    name_initials = models.CharField(_("姓名拼音首字母"), max_length=50, blank=True, editable=False, db_index=True)
    id_number = models.CharField(_("身份证号"), max_length=18, blank=True)
    gender = models.CharField(_("性别"), max_length=10, choices=Gender.choices, blank=True)
    birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    phone = models.CharField(_("手机号"), max_length=20, blank=True)
    household = models.ForeignKey(
        "grids.Household", verbose_name=_("所在户"), on_delete=models.PROTECT, related_name="residents"
    )
    relation = models.CharField(_("与户主关系"), max_length=20, choices=Relation.choices, default=Relation.OTHER)
    status = models.CharField(
        _("居住状态"), max_length=20, choices=ResidenceStatus.choices, default=ResidenceStatus.REGISTERED
    )
    ethnicity = models.CharField(_("民族"), max_length=20, default="汉族", blank=True)
    political_status = models.CharField(
        _("政治面貌"), max_length=20, choices=PoliticalStatus.choices, default=PoliticalStatus.MASSES
    )
    party_member = models.OneToOneField(
        "orgs.PartyMember", verbose_name=_("党员档案"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="resident",
    )  # fmt: skip
    tags = models.ManyToManyField(CareTag, verbose_name=_("关爱标签"), blank=True, related_name="residents")
    notes = models.TextField(_("备注"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = ResidentQuerySet.as_manager()

    scope_paths = {"org": "household__building__grid__community", "grid": "household__building__grid"}

    class Meta:
        verbose_name = _("居民")
        verbose_name_plural = _("居民")
        ordering = ["household_id", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["id_number"],
                condition=Q(status__in=("registered", "floating")) & ~Q(id_number=""),
                name="unique_current_resident_id_number",
                violation_error_code="unique",  # reported beside the field, not as a form-wide error
                violation_error_message=_("已有在住居民使用此身份证号。"),
            )
        ]

    def __str__(self) -> str:
        return self.name

    def save(self, *args, **kwargs):
        # Stored, not computed per search: pinyin lookup must be an indexed prefix match on a city of a million.
        self.name_initials = initials_of(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors = {}
        clean_id_card_fields(self, errors)
        clean_phone_field(self, "phone", errors)
        if self.birth_date and self.birth_date > timezone.localdate():
            errors.setdefault("birth_date", ValidationError(_("出生日期不能晚于今天。"), code="future"))
        if self.party_member_id and self.political_status not in (
            PoliticalStatus.PARTY_MEMBER,
            PoliticalStatus.PROBATIONARY,
        ):
            errors["political_status"] = ValidationError(_("关联了党员档案，政治面貌应为党员。"), code="party")
        if errors:
            raise ValidationError(errors)


def initials_of(name: str) -> str:
    return "".join(lazy_pinyin(name or "", style=Style.FIRST_LETTER, errors="ignore")).lower()[:50]


class ResidenceHistory(models.Model):
    """Where a resident lived and when: a move between households closes one row and opens another."""

    resident = models.ForeignKey(Resident, verbose_name=_("居民"), on_delete=models.CASCADE, related_name="history")
    household = models.ForeignKey(
        "grids.Household", verbose_name=_("户"), on_delete=models.PROTECT, related_name="residence_history"
    )
    moved_in_on = models.DateField(_("迁入日期"), default=timezone.localdate)
    moved_out_on = models.DateField(_("迁出日期"), null=True, blank=True)
    note = models.CharField(_("说明"), max_length=200, blank=True)

    objects = ResidenceHistoryQuerySet.as_manager()

    scope_paths = {"org": "household__building__grid__community", "grid": "household__building__grid"}

    class Meta:
        verbose_name = _("居住记录")
        verbose_name_plural = _("居住记录")
        ordering = ["resident_id", "moved_in_on"]

    def __str__(self) -> str:
        return f"{self.resident} @ {self.household}"
