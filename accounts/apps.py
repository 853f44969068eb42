from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "accounts"
    verbose_name = _("账号与权限")

    def ready(self) -> None:
        from accounts.services import pii_access_log_create
        from core.demo import demo_builders
        from core.pii import pii_view_loggers

        pii_view_loggers.register("accounts.PIIAccessLog", pii_access_log_create)
        demo_builders.register("accounts.demo.build", "accounts.demo.build", after=["orgs.demo.build"])
