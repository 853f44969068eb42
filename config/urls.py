from csp.decorators import csp_update  # issue 9 (pii)
from django.contrib import admin
from django.contrib.auth.views import LoginView
from django.urls import include, path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from accounts.forms import GuardedAdminAuthenticationForm, GuardedAuthenticationForm
from accounts.views import HomeView
from core.ratelimit import rate_limit
from services.community.wish_wall import WishWallView
from services.views import (
    CatalogueView,
    CommunityDirectoryView,
    CommunityHomeView,
    PublicRequestView,
    RatingView,
    TicketFollowView,
)

# Login guard (helper "login", issue 9): both login pages use the guarded form, so a lockout is a form error.
admin.site.login_form = GuardedAdminAuthenticationForm

urlpatterns = [
    path("", HomeView.as_view(), name="home"),
    path("accounts/login/", LoginView.as_view(authentication_form=GuardedAuthenticationForm), name="login"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("admin/", admin.site.urls),
    path("grid/", include("residents.urls")),
    path("unit/", include("cobuilding.urls")),
    path("notifications/", include("notifications.urls")),
    path("tickets/", include("services.urls")),
    path("mediation/", include("mediation.urls")),
    path("dashboard/", include("dashboards.urls")),
    # Public pages without login, rate-limited per client address (helper "login", issue 9; core.ratelimit).
    path("r/<str:token>/", rate_limit("rating_link")(RatingView.as_view()), name="ticket-rate"),
    path("catalogue/<str:code>/", rate_limit("public_page")(CatalogueView.as_view()), name="catalogue"),
    path("wishes/wall/<str:code>/", rate_limit("public_page")(WishWallView.as_view()), name="wish-wall"),
    # Issue 11: a community's public home, the resident's request form (filings limited apart) and follow link.
    path("c/", rate_limit("public_page")(CommunityDirectoryView.as_view()), name="community-directory"),
    path("c/<str:code>/", rate_limit("public_page")(CommunityHomeView.as_view()), name="community-home"),
    path(
        "c/<str:code>/request/",
        rate_limit("public_page")(rate_limit("public_request", methods=("POST",))(PublicRequestView.as_view())),
        name="community-request",
    ),
    path("t/<str:token>/", rate_limit("rating_link")(TicketFollowView.as_view()), name="ticket-follow"),
    path("api/v1/", include("config.api")),
    path("open311/", include("services.open311.urls")),  # issue 9 (open311 helper): discovery + v2/, all JSON
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    # issue 9 (pii): the split view serves Swagger UI's init script as a file (?script=), so script-src stays 'self';
    # spectacular's page template carries one small inline <style>, allowed on this page only.
    path(
        "api/docs/",
        csp_update({"style-src": ["'unsafe-inline'"]})(SpectacularSwaggerSplitView.as_view(url_name="schema")),
        name="api-docs",
    ),
]

# issue 9 (open311 helper): MEDIA is never served by URL, not even with DEBUG. Every stored file is a resident's
# personal data, reached only through its row's scoped view (core.uploads.ScopedFileView; FieldFile.url names it).

# issue 9 (badinput): error answers that carry no traceback, in JSON for the API and Open311 (core/errors.py).
handler400 = "core.errors.bad_request"
handler403 = "core.errors.permission_denied"
handler404 = "core.errors.page_not_found"
handler500 = "core.errors.server_error"
