"""Response headers every page and API answer carries: Permissions-Policy and, for signed-in users, no-store.

no-store: every response to a signed-in user (pages, fragments, admin, API with a session or a token) is marked, not
only the ones known to carry an ID number or phone. Nearly every authenticated page lists residents, members,
tickets or phones of someone; marking "PII responses" one by one would be the list a new view forgets. Public
pages (login, wish wall, Open311 without a key) stay cacheable; static files are served before this middleware.
"""

from collections.abc import Callable

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.utils.cache import add_never_cache_headers, patch_cache_control


def permissions_policy_header(policy: dict[str, list[str]]) -> str:
    """`{"camera": ["self"], "usb": []}` → `camera=(self), usb=()`."""
    return ", ".join(f"{feature}=({' '.join(allow)})" for feature, allow in policy.items())


def _carries_personal_information(request: HttpRequest, response: HttpResponse) -> bool:
    user = getattr(request, "user", None)
    signed_in = bool(user is not None and user.is_authenticated)
    # DRF authenticates a token in the view, after this middleware's request phase: its request.user is set then.
    drf_user = getattr(getattr(response, "renderer_context", {}).get("request"), "user", None)
    return signed_in or bool(drf_user is not None and drf_user.is_authenticated)


class SecurityHeadersMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response
        self.permissions_policy = permissions_policy_header(settings.PERMISSIONS_POLICY)

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        response.setdefault("Permissions-Policy", self.permissions_policy)
        if _carries_personal_information(request, response):
            add_never_cache_headers(response)
            patch_cache_control(response, no_store=True, private=True)
        return response
