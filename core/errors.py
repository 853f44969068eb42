"""Error answers for the whole site: a plain page for people, JSON for the API, GeoReport's error list for Open311.

Django's own error views answer HTML to every path and, with DEBUG on, a traceback; these are wired as handler400/
403/404/500 in config/urls.py so that even a crash deep inside a view answers an API client in the API's language,
and no error page ever shows more than a sentence.
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.template import loader
from django.template.exceptions import TemplateDoesNotExist
from django.utils.translation import gettext_lazy as _

API_PREFIX = "/api/"
OPEN311_PREFIX = "/open311/"

DEFAULT_MESSAGES = {
    400: _("请求无效。"),
    403: _("您没有执行该操作的权限。"),
    404: _("未找到。"),
    500: _("服务器出错了，请稍后再试。"),
}


def error_response(request: HttpRequest, status: int, message: str | None = None) -> HttpResponse:
    """The answer for `status` in the form the caller reads: JSON for /api/, a GeoReport list for /open311/, a page."""
    message = str(message or DEFAULT_MESSAGES.get(status, DEFAULT_MESSAGES[400]))
    path = request.path_info or ""
    if path.startswith(OPEN311_PREFIX):
        return JsonResponse([{"code": status, "description": message}], status=status, safe=False)
    if path.startswith(API_PREFIX):
        return JsonResponse({"detail": message}, status=status)
    try:
        body: str = loader.render_to_string(f"{status}.html", {"message": message}, request=None)
    except TemplateDoesNotExist:
        body = message
    return HttpResponse(body, status=status, content_type="text/html; charset=utf-8")


def bad_request(
    request: HttpRequest, exception: Exception | None = None, template_name: str = "400.html"
) -> HttpResponse:
    return error_response(request, 400)


def permission_denied(
    request: HttpRequest, exception: Exception | None = None, template_name: str = "403.html"
) -> HttpResponse:
    return error_response(request, 403)


def page_not_found(
    request: HttpRequest, exception: Exception | None = None, template_name: str = "404.html"
) -> HttpResponse:
    return error_response(request, 404)


def server_error(request: HttpRequest, template_name: str = "500.html") -> HttpResponse:
    return error_response(request, 500)
