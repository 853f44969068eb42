from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ResidentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "residents"
    verbose_name = _("居民")

    def ready(self) -> None:
        from core.demo import demo_builders
        from core.figures import figure_families

        demo_builders.register("residents.demo.build", "residents.demo.build", after=["grids.demo.build"])
        # Visits follow who needs care, so they come after the residents; the name, kept from when the builder
        # lived in grids, keeps its random stream and so the same city.
        demo_builders.register("grids.demo.build_visits", "residents.demo.build_visits", after=["residents.demo.build"])
        figure_families.register("coverage", "residents.figures.FAMILY")
