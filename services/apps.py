from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "services"
    verbose_name = _("服务")

    def ready(self) -> None:
        from core.demo import demo_builders
        from core.figures import figure_families
        from core.public_pages import register_public_page

        builders_read = ["grids.demo.build_visits", "cobuilding.demo.build"]  # grid workers, residents, units
        demo_builders.register("services.demo.build", "services.demo.build", after=builders_read)
        register_public_page(_("服务事项清单"), "catalogue", order=10, description=_("能办什么、要带什么、多久办好"))
        register_public_page(_("微心愿墙"), "wish-wall", order=20, description=_("居民的小心愿，党员和单位来认领"))
        figure_families.register("tickets", "services.tickets.figures.FAMILY")
        figure_families.register("community", "services.community.figures.FAMILY")
