from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class OrgsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "orgs"
    verbose_name = _("党组织体系")

    def ready(self) -> None:
        from core.demo import demo_builders
        from core.figures import figure_families

        demo_builders.register("orgs.demo.build", "orgs.demo.build")
        figure_families.register("orgs", "orgs.figures.FAMILY")
