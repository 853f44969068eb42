from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CobuildingConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "cobuilding"
    verbose_name = _("共驻共建")

    def ready(self) -> None:
        from core.demo import demo_builders
        from core.figures import figure_families

        demo_builders.register("cobuilding.demo.build", "cobuilding.demo.build", after=["accounts.demo.build"])
        figure_families.register("cobuilding", "cobuilding.figures.FAMILY")
