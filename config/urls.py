from django.contrib import admin
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

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
    path("open311/", include("services.open311.urls")),  # issue 9 (open311 helper): discovery + v2/, all JSON
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

# issue 9 (open311 helper): MEDIA is never served by URL, not even with DEBUG. Every stored file is a resident's
# personal data, reached only through its row's scoped view (core.uploads.ScopedFileView; FieldFile.url names it).

# issue 9 (badinput): error answers that carry no traceback, in JSON for the API and Open311 (core/errors.py).
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
