"""Joint meetings (联席会议): the community reports issues, units claim them on the spot (接招认领)."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from orgs.rules import Level


class JointMeetingQuerySet(ScopedQuerySet):
    pass


class JointMeeting(models.Model):
    community = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("社区"),
        on_delete=models.PROTECT,
        related_name="joint_meetings",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    held_at = models.DateTimeField(_("召开时间"))
    place = models.CharField(_("地点"), max_length=200)
    attending_units = models.ManyToManyField(
        "cobuilding.ResidentUnit", verbose_name=_("参会单位"), blank=True, related_name="meetings"
    )
    minutes = models.TextField(_("会议纪要"), blank=True)
    reminded_at = models.DateTimeField(_("提醒时间"), null=True, blank=True, editable=False)

    objects = JointMeetingQuerySet.as_manager()

    # A liaison sees the meetings their unit attends.
    scope_paths = {"org": "community", "unit": "attending_units"}

    class Meta:
        verbose_name = _("联席会议")
        verbose_name_plural = _("联席会议")
        ordering = ["-held_at", "id"]

    def __str__(self) -> str:
        return f"{self.community} {timezone.localtime(self.held_at):%Y-%m-%d}"

    def clean(self) -> None:
        super().clean()
        if self.community_id and self.community.level != Level.COMMUNITY:
            raise ValidationError({"community": _("联席会议须由社区召开。")})


class ItemStatus(models.TextChoices):
    OPEN = "open", _("待认领")
    CLAIMED = "claimed", _("已认领")
    IN_PROGRESS = "in_progress", _("办理中")
    CLOSED = "closed", _("已办结")


class AgendaItemQuerySet(ScopedQuerySet):
    def unclosed(self):
        return self.exclude(status=ItemStatus.CLOSED)

    def with_related(self):
        return self.select_related("meeting__community", "claimed_by", "carried_from")


class AgendaItem(models.Model):
    meeting = models.ForeignKey(JointMeeting, verbose_name=_("会议"), on_delete=models.CASCADE, related_name="items")
    title = models.CharField(_("议题"), max_length=200)
    description = models.TextField(_("情况说明"), blank=True)
    status = models.CharField(_("状态"), max_length=20, choices=ItemStatus.choices, default=ItemStatus.OPEN)
    claimed_by = models.ForeignKey(
        "cobuilding.ResidentUnit", verbose_name=_("认领单位"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="claimed_items",
    )  # fmt: skip
    claimed_at = models.DateTimeField(_("认领时间"), null=True, blank=True)
    due_on = models.DateField(_("承诺完成日期"), null=True, blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    # Set on the copy made at the next meeting when this item was not closed: the chain shows its whole history.
    carried_from = models.OneToOneField(
        "self", verbose_name=_("上次会议议题"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="carried_to",
    )  # fmt: skip

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = AgendaItemQuerySet.as_manager()

    scope_paths = {"org": "meeting__community", "unit": "meeting__attending_units"}

    class Meta:
        verbose_name = _("会议议题")
        verbose_name_plural = _("会议议题")
        ordering = ["meeting_id", "id"]

    def __str__(self) -> str:
        return self.title

    @property
    def is_carried_over(self) -> bool:
        return self.carried_from_id is not None


class AgendaItemProgress(models.Model):
    item = models.ForeignKey(AgendaItem, verbose_name=_("议题"), on_delete=models.CASCADE, related_name="progress")
    note = models.TextField(_("进展说明"))
    reported_on = models.DateField(_("日期"), default=timezone.localdate)
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("填报人"), on_delete=models.PROTECT, related_name="+"
    )

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "item__meeting__community", "unit": "item__claimed_by"}

    class Meta:
        verbose_name = _("议题进展")
        verbose_name_plural = _("议题进展")
        ordering = ["-reported_on", "-id"]

    def __str__(self) -> str:
        return self.note[:40]
