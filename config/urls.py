from django.conf import settings
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

from accounts.forms import GuardedAdminAuthenticationForm, GuardedAuthenticationForm
from core.ratelimit import rate_limit
from core.views import HomeView
from services.views import CatalogueView, RatingView
from services.wish_wall import WishWallView

# Login guard (helper "login", issue 9): both login pages use the guarded form, so a lockout is a form error.
admin.site.login_form = GuardedAdminAuthenticationForm

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/login/", LoginView.as_view(authentication_form=GuardedAuthenticationForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("grid/", include("grids.urls")),
    path("unit/", include("cobuilding.urls")),
    path("notifications/", include("notifications.urls")),
    path("tickets/", include("services.urls")),
    # Public pages without login, rate-limited per client address (helper "login", issue 9; core.ratelimit).
    path("r/<str:token>/", rate_limit("rating_link")(RatingView.as_view()), name="ticket-rate"),
    path("catalogue/<str:code>/", rate_limit("public_page")(CatalogueView.as_view()), name="catalogue"),
    path("wishes/wall/<str:code>/", rate_limit("public_page")(WishWallView.as_view()), name="wish-wall"),
    path("api/v1/", include("config.api")),
    path("open311/v2/", include("services.open311.urls")),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerView.as_view(url_name="schema"), name="api-docs"),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)
