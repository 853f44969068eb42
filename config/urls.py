from csp.decorators import csp_update  # issue 9 (pii)
from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core.views import HomeView
from services.views import CatalogueView, RatingView
from services.wish_wall import WishWallView

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("grid/", include("grids.urls")),
    path("unit/", include("cobuilding.urls")),
    path("notifications/", include("notifications.urls")),
    path("tickets/", include("services.urls")),
    path("r/<str:token>/", RatingView.as_view(), name="ticket-rate"),
    path("catalogue/<str:code>/", CatalogueView.as_view(), name="catalogue"),
    path("wishes/wall/<str:code>/", WishWallView.as_view(), name="wish-wall"),
    path("api/v1/", include("config.api")),
    path("open311/v2/", include("services.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # issue 9 (pii): the split view serves Swagger UI's init script as a file (?script=), so script-src stays 'self';
    # spectacular's page template carries one small inline <style>, allowed on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
