"""Proxy errands (代办): a staff member or grid worker runs a resident's paperwork for them, one errand per ticket."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.scoping import ScopedQuerySet


class ProxyErrand(models.Model):
    """Who ran the errand, what was handed in where and when, and when the result came back (null until then).

    Only for tickets whose service item can be handled as a proxy errand (`ServiceItem.can_proxy`). Written only
    through services.tickets.errands, which also appends the ticket's "proxy_errand" timeline events.
    """

    ticket = models.OneToOneField(
        "services.Ticket", verbose_name=_("工单"), on_delete=models.CASCADE, related_name="proxy_errand"
    )
    runner = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("代办人"), on_delete=models.PROTECT, related_name="proxy_errands"
    )
    handed_in = models.TextField(_("递交材料"))
    handed_in_where = models.CharField(_("递交地点"), max_length=200)
    handed_in_at = models.DateTimeField(_("递交时间"))
    came_back_at = models.DateTimeField(_("办回时间"), null=True, blank=True)
    outcome_note = models.TextField(_("办理结果"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("记录人"), on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("记录时间"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()

    scope_paths = {"org": "ticket__community", "grid": "ticket__grid", "unit": "ticket__assignee_unit"}

    class Meta:
        verbose_name = _("代办记录")
        verbose_name_plural = _("代办记录")
        ordering = ["-handed_in_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ticket} {self.handed_in_where}"

    @property
    def returned(self) -> bool:
        return self.came_back_at is not None

    def clean(self) -> None:
        super().clean()
        errors = {}
        if self.ticket_id and not self.ticket.service_item.can_proxy:
            errors["ticket"] = ValidationError(_("该工单的服务事项不可代办。"), code="not_proxyable")
        if self.came_back_at and self.handed_in_at and self.came_back_at < self.handed_in_at:
            errors["came_back_at"] = ValidationError(_("办回时间不能早于递交时间。"), code="came_back_before_handed_in")
        if errors:
            raise ValidationError(errors)
