from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class GridsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "grids"
    verbose_name = _("网格")

    def ready(self) -> None:
        from accounts.models import Role
        from core.demo import demo_builders
        from core.scoping import scope_providers
        from grids.scope import grid_worker_scope_nodes

        scope_providers.register(Role.GRID_WORKER, grid_worker_scope_nodes)
        demo_builders.register("grids.demo.build", "grids.demo.build", after=["orgs.demo.build", "accounts.demo.build"])
