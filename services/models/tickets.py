"""Service tickets: one-window intake, dispatch, handling, rating; every change an event on the timeline."""

import secrets

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from core.counting import filter_either
from core.scoping import VIEW, ScopedQuerySet, scope_q, subtree_q
from core.uploads import VerifiedImageField
from core.validators import clean_phone_field
from orgs.rules import Level
from services.models.catalogue import HandlingLevel


class Channel(models.TextChoices):
    HOTLINE = "hotline", _("热线电话")
    ONE_WINDOW = "one_window", _("一窗受理")
    GRID_REPORT = "grid_report", _("网格员上报")
    VISIT_FOLLOW_UP = "visit_follow_up", _("走访转办")
    WEB = "web", _("网上申报")
    API = "api", _("接口接入")
    OPEN311 = "open311", _("Open311")
    POINT_ORDER = "point_order", _("群众点单")


# Raised by our own people in the field: the grid worker is the reporter, no resident details are required.
INTERNAL_CHANNELS = frozenset({Channel.GRID_REPORT, Channel.VISIT_FOLLOW_UP})


class Priority(models.TextChoices):
    LOW = "low", _("一般")
    NORMAL = "normal", _("普通")
    URGENT = "urgent", _("紧急")


class TicketStatus(models.TextChoices):
    REPORTED = "reported", _("已登记")
    ACCEPTED = "accepted", _("已受理")
    DISPATCHED = "dispatched", _("已派单")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结待评价")
    CLOSED = "closed", _("已关闭")
    RETURNED = "returned", _("已退回")
    REJECTED = "rejected", _("不予受理")
    REOPENED = "reopened", _("已重启")


OPEN_STATUSES = frozenset(
    {
        TicketStatus.REPORTED,
        TicketStatus.ACCEPTED,
        TicketStatus.DISPATCHED,
        TicketStatus.IN_PROGRESS,
        TicketStatus.RETURNED,
        TicketStatus.REOPENED,
    }
)


class Card(models.TextChoices):
    NONE = "", _("正常")
    YELLOW = "yellow", _("黄牌预警")
    RED = "red", _("红牌督办")


class TicketQuerySet(ScopedQuerySet):
    def visible_to(self, user, action: str = VIEW):
        # Dispatch may hand a ticket to someone whose scope does not cover it (a grid worker, a ticket with no
        # grid): its assignee still sees and handles it.
        if user is None or not user.is_authenticated or not user.is_active or user.is_superuser:
            return super().visible_to(user, action)
        if action != VIEW and not user.can_write:
            return super().visible_to(user, action)
        assigned = models.Q(assignee_user=user)
        within = scope_q(self.model, user)
        if within is None:
            return self.filter(assigned)
        # Counted as count(within) + count(assigned) - count(both): see core/counting.py.
        return filter_either(self, within, assigned)

    def open(self):
        return self.filter(status__in=OPEN_STATUSES)

    # The queue's filters, shared by the pages and the API so "overdue" means one thing everywhere.
    def mine(self, user):
        return self.filter(models.Q(owner=user) | models.Q(assignee_user=user))

    def overdue(self, now=None):
        """Open and past a deadline: the level's (escalation pending) or the promised resolution."""
        now = now or timezone.now()
        return self.open().filter(models.Q(level_due_at__lt=now) | models.Q(resolution_due_at__lt=now))

    def escalated_to(self, user):
        """Escalated tickets now answerable by an organization inside the user's own scope."""
        if user.is_superuser:
            return self.filter(escalation_count__gt=0)
        within = models.Q(pk__in=[])
        for kind, node in user.scope_nodes():
            if kind == "org":
                within |= subtree_q("handling_org", node)
        return self.filter(within, escalation_count__gt=0)

    def with_related(self):
        return self.select_related(
            "service_item", "community", "handling_org", "grid", "owner", "assignee_user", "assignee_unit"
        )


def new_rating_token() -> str:
    return secrets.token_urlsafe(32)


class Ticket(models.Model):
    reference = models.CharField(_("工单号"), max_length=30, unique=True, editable=False)
    channel = models.CharField(_("来源渠道"), max_length=20, choices=Channel.choices)
    service_item = models.ForeignKey(
        "services.ServiceItem", verbose_name=_("服务事项"), on_delete=models.PROTECT, related_name="tickets"
    )
    menu_item = models.ForeignKey(
        "services.MenuService", verbose_name=_("点单服务"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="orders",
    )  # fmt: skip
    priority = models.CharField(_("优先级"), max_length=10, choices=Priority.choices, default=Priority.NORMAL)
    status = models.CharField(
        _("状态"), max_length=20, choices=TicketStatus.choices, default=TicketStatus.REPORTED, db_index=True
    )
    # Reporter: a registered resident, or a name and phone for someone who is not.
    reporter = models.ForeignKey(
        "residents.Resident", verbose_name=_("反映人（居民）"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="tickets",
    )  # fmt: skip
    reporter_name = models.CharField(_("反映人姓名"), max_length=50, blank=True)
    reporter_phone = models.CharField(_("反映人电话"), max_length=20, blank=True)
    # Where: the community is required (it is the ticket's home for scoping); grid, building, household optional.
    community = models.ForeignKey(
        "orgs.Organization", verbose_name=_("所属社区"), on_delete=models.PROTECT, related_name="tickets",
        limit_choices_to={"level": Level.COMMUNITY},
    )  # fmt: skip
    grid = models.ForeignKey(
        "grids.Grid", verbose_name=_("网格"), on_delete=models.PROTECT, null=True, blank=True, related_name="tickets"
    )
    building = models.ForeignKey(
        "grids.Building", verbose_name=_("楼栋"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    household = models.ForeignKey(
        "grids.Household", verbose_name=_("户"), on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    # A visit marked "follow-up needed" becomes at most one ticket.
    source_visit = models.OneToOneField(
        "grids.Visit", verbose_name=_("来源走访"), on_delete=models.SET_NULL, null=True, blank=True,
        related_name="ticket",
    )  # fmt: skip
    address = models.CharField(_("地址"), max_length=200, blank=True)
    latitude = models.DecimalField(
        _("纬度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )  # fmt: skip
    longitude = models.DecimalField(
        _("经度"), max_digits=9, decimal_places=6, null=True, blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )  # fmt: skip
    description = models.TextField(_("诉求描述"))
    # First-contact responsibility (首问负责): who accepted it owns it until it is closed, whoever handles it.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("首问责任人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="owned_tickets",
    )  # fmt: skip
    assignee_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("承办人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_tickets",
    )  # fmt: skip
    assignee_unit = models.ForeignKey(
        "cobuilding.ResidentUnit", verbose_name=_("承办单位"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="assigned_tickets",
    )  # fmt: skip
    assignee_department = models.CharField(_("承办部门"), max_length=100, blank=True)
    # Escalation: the organization currently answerable, and at which rung of the ladder.
    handling_level = models.CharField(
        _("当前督办层级"), max_length=20, choices=HandlingLevel.choices, default=HandlingLevel.COMMUNITY
    )
    handling_org = models.ForeignKey(
        "orgs.Organization", verbose_name=_("当前负责组织"), on_delete=models.PROTECT, related_name="handled_tickets"
    )
    escalation_count = models.PositiveSmallIntegerField(_("升级次数"), default=0)
    level_started_at = models.DateTimeField(_("本级起算时间"), null=True, blank=True)
    # When the yellow card (黄牌预警) is due: set with level_due_at so the sweep compares plain columns.
    warn_at = models.DateTimeField(_("预警时间"), null=True, blank=True)
    level_due_at = models.DateTimeField(_("本级时限"), null=True, blank=True, db_index=True)
    flagged_for_district = models.BooleanField(_("区级督办"), default=False)
    card = models.CharField(_("预警"), max_length=10, choices=Card.choices, blank=True, default="")
    # SLA (working time on China's calendar), from the service item.
    response_due_at = models.DateTimeField(_("响应期限"), null=True, blank=True)
    resolution_due_at = models.DateTimeField(_("办结期限"), null=True, blank=True, db_index=True)
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    # Satisfaction (满意度): asked through an unguessable link that works without login.
    rating_token = models.CharField(_("评价令牌"), max_length=64, unique=True, default=new_rating_token, editable=False)
    rating_token_expires_at = models.DateTimeField(_("评价链接有效期"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(
        _("满意度"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    rating_comment = models.TextField(_("评价意见"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    closed_unrated = models.BooleanField(_("未评价自动关闭"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("登记人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    created_at = models.DateTimeField(_("登记时间"), auto_now_add=True, db_index=True)

    objects = TicketQuerySet.as_manager()

    scope_paths = {"org": "community", "grid": "grid", "unit": "assignee_unit"}

    class Meta:
        verbose_name = _("服务工单")
        verbose_name_plural = _("服务工单")
        ordering = ["-created_at", "-id"]
        indexes = [
            models.Index(fields=["status", "level_due_at"]),
            models.Index(fields=["community", "status"]),
            # The lists' order (-created_at, -id) read backwards, with no sort of tied timestamps (issue 11).
            models.Index(fields=["created_at", "id"], name="services_ticket_created_id"),
        ]

    def __str__(self) -> str:
        return self.reference

    def clean(self) -> None:
        super().clean()
        errors = {}
        clean_phone_field(self, "reporter_phone", errors)
        if self.channel not in INTERNAL_CHANNELS and not (self.reporter_id or self.reporter_name):
            errors["reporter_name"] = ValidationError(_("请选择居民，或填写反映人姓名。"), code="reporter")
        if self.community_id and self.community.level != Level.COMMUNITY:
            errors["community"] = ValidationError(_("工单须归属于社区。"), code="community_level")
        if self.grid_id and self.community_id and self.grid.community_id != self.community_id:
            errors["grid"] = ValidationError(_("网格须属于所选社区。"), code="grid_community")
        if self.household_id and self.grid_id and self.household.building.grid_id != self.grid_id:
            errors["household"] = ValidationError(_("户须在所选网格内。"), code="household_grid")
        if (self.latitude is None) != (self.longitude is None):
            errors["longitude"] = ValidationError(_("经纬度须同时填写。"), code="coordinates")
        if errors:
            raise ValidationError(errors)

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class TicketEvent(models.Model):
    """Append-only timeline: every change to a ticket, who made it and why. Never edited in place."""

    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(_("事件"), max_length=30)
    from_status = models.CharField(_("原状态"), max_length=20, blank=True)
    to_status = models.CharField(_("新状态"), max_length=20, blank=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("操作人"), on_delete=models.PROTECT, null=True, blank=True,
        related_name="+",
    )  # fmt: skip
    note = models.TextField(_("说明"), blank=True)
    data = models.JSONField(_("附加信息"), default=dict, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "ticket__community", "grid": "ticket__grid", "unit": "ticket__assignee_unit"}

    class Meta:
        verbose_name = _("工单事件")
        verbose_name_plural = _("工单事件")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.kind}"


def ticket_photo_path(instance, filename: str) -> str:
    """`filename` is already generated by VerifiedImageField (random, with the verified format's extension)."""
    return f"tickets/{instance.ticket_id}/{filename}"


class TicketPhoto(models.Model):
    ticket = models.ForeignKey(Ticket, verbose_name=_("工单"), on_delete=models.CASCADE, related_name="photos")
    event = models.ForeignKey(
        TicketEvent, verbose_name=_("事件"), on_delete=models.CASCADE, null=True, blank=True, related_name="photos"
    )
    image = VerifiedImageField(_("照片"), upload_to=ticket_photo_path)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("上传人"), on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "ticket__community", "grid": "ticket__grid", "unit": "ticket__assignee_unit"}

    class Meta:
        verbose_name = _("工单照片")
        verbose_name_plural = _("工单照片")
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.image.name

    def get_file_url(self, field_name: str) -> str:
        """The scoped view (it checks the reader sees the ticket); photos are never public media."""
        return reverse("tickets:photo", args=[self.ticket_id, self.pk])


class TicketCounter(models.Model):
    """The day's last ticket number, so references read NG-20261123-0042 and never collide."""

    day = models.DateField(primary_key=True)
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("工单编号计数")
        verbose_name_plural = _("工单编号计数")

    def __str__(self) -> str:
        return f"{self.day} {self.last}"
