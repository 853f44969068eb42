from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MediationConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "mediation"
    verbose_name = _("矛盾调解")

    def ready(self) -> None:
        from core.demo import demo_builders
        from core.figures import figure_families

        # Cases start from the demo's visits and tickets.
        demo_builders.register("mediation.demo.build", "mediation.demo.build", after=["services.demo.build"])
        # Cases are counted on the dashboards and, live (the family's `live`), beside the ticket statistics.
        figure_families.register("mediation", "mediation.figures.FAMILY")
