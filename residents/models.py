"""Residents (户不漏人): who lives in each household, with the care the community owes them."""

import datetime
import uuid
from typing import Any

from django.conf import settings
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

    def save(self, *args: Any, **kwargs: Any) -> None:
        # Stored, not computed per search: pinyin lookup must be an indexed prefix match on a city of a million.
        self.name_initials = initials_of(self.name)
        super().save(*args, **kwargs)

    def clean(self) -> None:
        super().clean()
        errors: dict[str, ValidationError] = {}
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


class ImportJobStatus(models.TextChoices):
    QUEUED = "queued", _("排队中")
    CHECKING = "checking", _("正在检查")
    WRITING = "writing", _("正在写入")
    DONE = "done", _("已完成")
    FAILED = "failed", _("失败")


# A worker is working on the job (it claimed it and beats while it runs).
RUNNING_IMPORT_STATUSES = (ImportJobStatus.CHECKING, ImportJobStatus.WRITING)
# Not finished: the user waits for these, and a worker may still pick them up.
OPEN_IMPORT_STATUSES = (ImportJobStatus.QUEUED, *RUNNING_IMPORT_STATUSES)


def import_stale_after() -> datetime.timedelta:
    """How long an open job may go without a heartbeat before it is shown as failed (worker killed, queue lost)."""
    return datetime.timedelta(seconds=getattr(settings, "RESIDENT_IMPORT_STALE_SECONDS", 120))


class ResidentImportJob(models.Model):
    """One uploaded resident sheet and what became of it: the state a user comes back to, in the database.

    It used to live in the cache only, so restarting Redis lost every job and its report. The worker that runs
    the job claims it (status checking, `attempt` + 1) and refreshes `heartbeat_at` while it runs; a job whose
    heartbeat stops is shown as failed and can be retried. The rows and the job's `done` are committed in one
    transaction (see residents.tasks), so a retry or a redelivered task never writes a row twice.
    """

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)  # in URLs: not guessable
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("导入人"), on_delete=models.CASCADE, related_name="+"
    )
    # The importer's scope when they uploaded: which part of the tree the job was meant for, kept for the record.
    scope = models.ForeignKey(
        "orgs.Organization", verbose_name=_("管辖范围"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    file = models.CharField(_("文件"), max_length=255)
    filename = models.CharField(_("原文件名"), max_length=255, blank=True)
    valid_only = models.BooleanField(_("只导入有效行"), default=False)
    # The job whose report this one follows up with "import the valid rows only": one follow-up per report.
    follow_up_of = models.OneToOneField(
        "self", verbose_name=_("来源任务"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="follow_up",
    )  # fmt: skip
    status = models.CharField(_("状态"), max_length=20, choices=ImportJobStatus.choices, default=ImportJobStatus.QUEUED)
    attempt = models.PositiveSmallIntegerField(_("运行次数"), default=0)
    progress_done = models.PositiveIntegerField(_("已处理"), default=0)
    progress_total = models.PositiveIntegerField(_("总数"), default=0)
    total_rows = models.PositiveIntegerField(_("总行数"), default=0)
    bad_rows = models.PositiveIntegerField(_("错误行数"), default=0)
    residents_created = models.PositiveIntegerField(_("导入居民数"), default=0)
    report = models.JSONField(_("导入报告"), null=True, blank=True)
    message = models.TextField(_("说明"), blank=True)
    heartbeat_at = models.DateTimeField(_("最近心跳"), default=timezone.now)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    finished_at = models.DateTimeField(_("完成时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("居民导入任务")
        verbose_name_plural = _("居民导入任务")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.filename or self.file} ({self.get_status_display()})"

    @property
    def is_stale(self) -> bool:
        """An open job nobody has worked on for a while: its worker died or its message was lost."""
        return self.status in OPEN_IMPORT_STATUSES and self.heartbeat_at < timezone.now() - import_stale_after()

    @property
    def shown_status(self) -> str:
        """The status the pages show: a stale job is failed, whatever its row still says."""
        return ImportJobStatus.FAILED if self.is_stale else self.status

    @property
    def is_open(self) -> bool:
        return self.shown_status in OPEN_IMPORT_STATUSES

    @property
    def can_retry(self) -> bool:
        return self.shown_status == ImportJobStatus.FAILED
