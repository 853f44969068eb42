"""Models of the shared core: the transactional outbox of work queued after commit (see core.outbox)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One Celery task to publish, written in the transaction of the change that asks for it.

    `sent_at` is set once the broker has accepted the message; a row without it is published again by the drain.
    """

    task_name = models.CharField(_("任务"), max_length=200)
    args = models.JSONField(_("位置参数"), default=list)
    kwargs = models.JSONField(_("关键字参数"), default=dict)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    sent_at = models.DateTimeField(_("发布时间"), null=True, blank=True)
    attempts = models.PositiveIntegerField(_("发布尝试次数"), default=0)
    last_error = models.TextField(_("最近错误"), blank=True)

    class Meta:
        verbose_name = _("待发布任务")
        verbose_name_plural = _("待发布任务")
        ordering = ["pk"]
        indexes = [
            models.Index(fields=["created_at"], name="outbox_unsent_idx", condition=models.Q(sent_at__isnull=True))
        ]

    def __str__(self) -> str:
        return f"{self.task_name}{tuple(self.args)}"
