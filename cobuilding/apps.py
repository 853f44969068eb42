from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cobuilding"
    verbose_name = _("共驻共建")
