"""社区吹哨、部门报到: the community calls on units for a problem it cannot solve alone; each must answer in time."""

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet
from orgs.rules import Level


class Whistle(models.Model):
    community = models.ForeignKey(
        "orgs.Organization",
        verbose_name=_("吹哨社区"),
        on_delete=models.PROTECT,
        related_name="whistles",
        limit_choices_to={"level": Level.COMMUNITY},
    )
    title = models.CharField(_("事项"), max_length=200)
    description = models.TextField(_("情况描述"))
    blown_at = models.DateTimeField(_("吹哨时间"), default=timezone.now)
    # Filled by the tickets issue; kept as a plain reference so co-building does not depend on services.
    ticket_reference = models.CharField(_("关联工单号"), max_length=40, blank=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "community", "unit": "calls__unit"}

    class Meta:
        verbose_name = _("吹哨事项")
        verbose_name_plural = _("吹哨事项")
        ordering = ["-blown_at", "id"]

    def __str__(self) -> str:
        return self.title

    def clean(self) -> None:
        super().clean()
        if self.community_id and self.community.level != Level.COMMUNITY:
            raise ValidationError({"community": _("吹哨须由社区发起。")})


class CallStatus(models.TextChoices):
    PENDING = "pending", _("待报到")
    ACKNOWLEDGED = "acknowledged", _("已报到")
    RESPONDED = "responded", _("已答复")
    OVERDUE = "overdue", _("已超时")


class WhistleCallQuerySet(ScopedQuerySet):
    def unanswered(self):
        return self.filter(status__in=(CallStatus.PENDING, CallStatus.ACKNOWLEDGED))

    def past_deadline(self, now=None):
        now = now or timezone.now()
        return self.unanswered().filter(Q(status=CallStatus.PENDING, acknowledge_by__lt=now) | Q(respond_by__lt=now))


class WhistleCall(models.Model):
    """One called party of a whistle: must acknowledge (报到) and then respond, each before its deadline."""

    whistle = models.ForeignKey(Whistle, verbose_name=_("吹哨事项"), on_delete=models.CASCADE, related_name="calls")
    unit = models.ForeignKey(
        "cobuilding.ResidentUnit", verbose_name=_("被叫单位"), on_delete=models.PROTECT, related_name="whistle_calls"
    )
    acknowledge_by = models.DateTimeField(_("报到期限"))
    respond_by = models.DateTimeField(_("答复期限"))
    status = models.CharField(
        _("状态"), max_length=20, choices=CallStatus.choices, default=CallStatus.PENDING, db_index=True
    )
    acknowledged_at = models.DateTimeField(_("报到时间"), null=True, blank=True)
    responded_at = models.DateTimeField(_("答复时间"), null=True, blank=True)
    response = models.TextField(_("答复内容"), blank=True)
    overdue_at = models.DateTimeField(_("超时时间"), null=True, blank=True)
    reminded_at = models.DateTimeField(_("临期提醒时间"), null=True, blank=True, editable=False)

    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)  # the dashboards' refresh: touched(since)

    objects = WhistleCallQuerySet.as_manager()

    scope_paths = {"org": "whistle__community", "unit": "unit"}

    class Meta:
        verbose_name = _("吹哨响应")
        verbose_name_plural = _("吹哨响应")
        ordering = ["respond_by", "id"]
        constraints = [models.UniqueConstraint(fields=["whistle", "unit"], name="one_call_per_unit_per_whistle")]

    def __str__(self) -> str:
        return f"{self.whistle} → {self.unit}"

    def clean(self) -> None:
        super().clean()
        if self.acknowledge_by and self.respond_by and self.respond_by < self.acknowledge_by:
            raise ValidationError({"respond_by": _("答复期限不能早于报到期限。")})
