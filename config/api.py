"""/api/v1/: collects each app's router so every app owns its own endpoints."""

from django.urls import include, path
from rest_framework.routers import DefaultRouter

from accounts.api import urls as accounts_api
from cobuilding.api import urls as cobuilding_api
from dashboards.api import urls as dashboards_api
from grids.api import urls as grids_api
from mediation.api import urls as mediation_api
from notifications.api import urls as notifications_api
from orgs.api import urls as orgs_api
from residents.api import urls as residents_api
from services.api import urls as services_api

APP_ROUTERS = [
    accounts_api.router, orgs_api.router, grids_api.router, residents_api.router, cobuilding_api.router,
    notifications_api.router, services_api.router, mediation_api.router, dashboards_api.router,
]  # fmt: skip

router = DefaultRouter()
for app_router in APP_ROUTERS:
    router.registry.extend(app_router.registry)

urlpatterns = [
    path("", include(accounts_api.urlpatterns)),
    path("", include(residents_api.urlpatterns)),
    path("", include(services_api.urlpatterns)),
    path("", include(dashboards_api.urlpatterns)),
    path("", include(router.urls)),
]
