from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "dashboards"
    verbose_name = _("数据看板")

    def ready(self) -> None:
        from core.demo import demo_builders

        # After every builder registered so far (dashboards comes last in INSTALLED_APPS): the refresh reads what
        # they all wrote. A builder registered by an app listed after this one must be added here by name.
        others = [entry.key for entry in demo_builders if entry.key != "dashboards.demo.build"]
        demo_builders.register("dashboards.demo.build", "dashboards.demo.build", after=others)
