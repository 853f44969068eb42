from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ServicesConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "services"
    verbose_name = _("服务")

    def ready(self) -> None:
        from core.demo import demo_builders

        builders_read = ["grids.demo.build_visits", "cobuilding.demo.build"]  # grid workers, residents, units
        demo_builders.register("services.demo.build", "services.demo.build", after=builders_read)
