"""Webhooks for integrators (e.g. a city's 12345 hotline platform): signed JSON on ticket events."""

import secrets

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class WebhookSubscription(models.Model):
    organization = models.ForeignKey(
        "orgs.Organization", verbose_name=_("订阅范围"), on_delete=models.PROTECT, related_name="webhooks",
        help_text=_("只推送该组织及其下级的工单事件。"),
    )  # fmt: skip
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("创建人"), on_delete=models.PROTECT, related_name="webhooks"
    )
    url = models.URLField(_("推送地址"), max_length=500)
    secret = models.CharField(_("签名密钥"), max_length=64, default=secrets.token_hex)
    events = models.JSONField(_("订阅事件"), default=list, blank=True, help_text=_("留空为全部事件。"))
    is_active = models.BooleanField(_("启用"), default=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "organization"}

    class Meta:
        verbose_name = _("Webhook 订阅")
        verbose_name_plural = _("Webhook 订阅")

    def __str__(self) -> str:
        return self.url


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("待发送")
    DELIVERED = "delivered", _("已送达")
    FAILED = "failed", _("失败")


class WebhookDelivery(models.Model):
    subscription = models.ForeignKey(
        WebhookSubscription, verbose_name=_("订阅"), on_delete=models.CASCADE, related_name="deliveries"
    )
    event = models.ForeignKey(
        "services.TicketEvent", verbose_name=_("工单事件"), on_delete=models.CASCADE, related_name="deliveries"
    )
    payload = models.JSONField(_("内容"))
    status = models.CharField(
        _("状态"), max_length=20, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("尝试次数"), default=0)
    response_code = models.PositiveSmallIntegerField(_("响应码"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    delivered_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "subscription__organization"}

    class Meta:
        verbose_name = _("Webhook 推送记录")
        verbose_name_plural = _("Webhook 推送记录")
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["subscription", "event"], name="one_delivery_per_event")]

    def __str__(self) -> str:
        return f"{self.subscription} {self.event_id} {self.status}"
