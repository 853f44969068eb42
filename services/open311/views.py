"""Open311 GeoReport v2 endpoints (JSON). Reads are public; filing a request needs `api_key` (a DRF token).

Every answer that is not a success is GeoReport's error list, [{"code": N, "description": "..."}] with the same
HTTP status: bad parameters (400, one entry per parameter), a bad key (403), unknown ids and unknown paths (404),
wrong methods (405), oversized bodies (413), and our own failures (500). GeoReportView.handle_exception is the one
place that shapes them. jurisdiction_id is accepted and ignored (one jurisdiction per deployment).

A key never narrows what a reader sees: requests of public services are listed for everyone; a key adds the
description, address, coordinates and notes of the requests inside its holder's scope (and lists the non-public
ones there too). Filing goes through services.tickets.services.ticket_create.
"""

import datetime
import logging
from decimal import Decimal

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig, ValidationError
from django.db.models import Exists, OuterRef, Q, Value
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.renderers import JSONRenderer
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from core.ratelimit import error_list_reply, rate_limit
from orgs.models import Organization
from orgs.rules import Level
from services.models import Channel, ServiceItem, Ticket
from services.open311.params import (
    GeoReportInvalid,
    KeyedForm,
    RequestListForm,
    RequestPostForm,
    cleaned,
    find_nul,
    flat_body,
)
from services.open311.serializers import (
    CLOSED_STATUSES,
    request_json,
    service_definition_json,
    service_json,
    with_latest_event,
)
from services.tickets.services import ticket_create

logger = logging.getLogger(__name__)

DEFAULT_WINDOW = datetime.timedelta(days=90)
MAX_REQUESTS = 1000
COORDINATE = Decimal("0.000001")
PATH_MAX = 64  # longer than any service code, reference or token: such a path names nothing
CHANGESET = "2026-12-01T00:00:00+08:00"  # when this API last changed, for discovery.json


class GeoReportError(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def error_response(status: int, *descriptions: str, headers: dict | None = None) -> Response:
    return Response([{"code": status, "description": d} for d in descriptions], status=status, headers=headers)


def _described(name: str, message: str) -> str:
    return f"{name}: {message}" if name and name != "__all__" else message


def _api_exception_response(exc: APIException) -> Response:
    headers = {}
    if getattr(exc, "auth_header", None):
        headers["WWW-Authenticate"] = exc.auth_header
    if getattr(exc, "wait", None):
        headers["Retry-After"] = str(int(exc.wait))
    detail = exc.detail
    if isinstance(detail, dict):
        texts = [_described(key, " ".join(map(str, v)) if isinstance(v, list) else str(v)) for key, v in detail.items()]
    elif isinstance(detail, list):
        texts = [str(item) for item in detail]
    else:
        texts = [str(detail)]
    return error_response(exc.status_code, *(texts or [str(exc)]), headers=headers)


class GeoReportView(APIView):
    """No session or token authentication (the key comes as `api_key`), so no CSRF; every answer in spec form."""

    schema = None  # not part of /api/v1/'s OpenAPI: the GeoReport v2 spec documents it
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]
    renderer_classes = [JSONRenderer]  # never the browsable API's HTML
    metadata_class = None  # OPTIONS is a 405 error list like any other method we do not serve

    def initial(self, request, *args, **kwargs):
        """Refuse before any lookup: an oversized body, and NUL in the path, a parameter name or a value."""
        super().initial(request, *args, **kwargs)
        length = request.META.get("CONTENT_LENGTH") or "0"
        if length.isdigit() and int(length) > settings.DATA_UPLOAD_MAX_MEMORY_SIZE:
            raise GeoReportError(413, _("请求体过大。"))
        if "\x00" in request.path:
            raise GeoReportError(400, _("地址不能包含空字符（NUL）。"))
        for source in (kwargs, request.query_params, request.data if request.method == "POST" else {}):
            name = find_nul(source)
            if name is not None:
                raise GeoReportError(400, _described(name, _("不能包含空字符（NUL）。")))
        if any(isinstance(value, str) and len(value) > PATH_MAX for value in kwargs.values()):
            raise GeoReportError(404, _("地址不存在。"))

    def handle_exception(self, exc):
        if isinstance(exc, GeoReportError):
            return error_response(exc.status, exc.description)
        if isinstance(exc, GeoReportInvalid):
            return error_response(400, *(_described(name, message) for name, message in exc.errors))
        if isinstance(exc, APIException):
            return _api_exception_response(exc)
        if isinstance(exc, Http404):
            return error_response(404, _("地址不存在。"))
        if isinstance(exc, PermissionDenied):
            return error_response(403, str(exc) or _("没有权限。"))
        if isinstance(exc, RequestDataTooBig):
            return error_response(413, _("请求体过大。"))
        if isinstance(exc, RecursionError):  # a JSON body nested thousands deep
            return error_response(400, _("请求体嵌套过深。"))
        logger.exception("Open311 request failed: %s %s", self.request.method, self.request.path)
        return error_response(500, _("服务器内部错误，请稍后重试。"))

    def params(self, form_class=KeyedForm) -> dict:
        return cleaned(form_class(self.request.query_params))

    def api_user(self, key: str, *, required: bool = False):
        """The user behind `api_key`, or None when none was given (and none is required)."""
        if not key:
            if required:
                raise GeoReportError(400, _("缺少 api_key。"))
            return None
        token = Token.objects.select_related("user").filter(key=key).first()
        if token is None or not token.user.is_active:
            raise GeoReportError(403, _("api_key 无效。"))
        return token.user


def public_services():
    return ServiceItem.objects.filter(is_active=True, is_public=True).order_by("category", "code")


def readable_requests(user):
    """What a reader may read: every public service's requests, plus (with a key) every request in the key
    holder's scope. `detailed` says which ones carry what a resident wrote: those inside the scope."""
    public = Q(service_item__is_public=True)
    scoped = Ticket.objects.visible_to(user) if user is not None else Ticket.objects.none()
    if scoped.query.is_empty():
        tickets = Ticket.objects.filter(public).annotate(detailed=Value(False))
    else:
        in_scope = Exists(scoped.filter(pk=OuterRef("pk")))
        tickets = Ticket.objects.annotate(detailed=in_scope).filter(public | Q(detailed=True))
    return with_latest_event(tickets)


class ServiceListView(GeoReportView):
    def get(self, request):
        self.params()
        return Response([service_json(item) for item in public_services()])


class ServiceDefinitionView(GeoReportView):
    def get(self, request, code: str):
        self.params()
        item = public_services().filter(code=code).first()
        if item is None:
            raise GeoReportError(404, _("服务不存在：%(code)s") % {"code": code})
        return Response(service_definition_json(item))


# Filing is rate-limited per client address, answered with a GeoReport error list (helper "login", issue 9).
@method_decorator(rate_limit("open311_write", methods=("POST",), reply=error_list_reply), name="dispatch")
class RequestListView(GeoReportView):
    def get(self, request):
        params = self.params(RequestListForm)
        user = self.api_user(params["api_key"])
        tickets = self.filtered(readable_requests(user), params)
        rows = tickets.order_by("-created_at", "-id")[:MAX_REQUESTS]
        return Response([request_json(ticket, detailed=ticket.detailed) for ticket in rows])

    @staticmethod
    def filtered(tickets, params: dict):
        if params["service_request_id"]:  # the spec: other parameters are ignored when ids are given
            return tickets.filter(reference__in=params["service_request_id"])
        if params["service_code"]:
            tickets = tickets.filter(service_item__code__in=params["service_code"])
        end = params["end_date"] or timezone.now()
        start = params["start_date"] or end - DEFAULT_WINDOW
        if start > end:
            raise GeoReportError(400, _described("start_date", _("不能晚于 end_date。")))
        if end - start > DEFAULT_WINDOW:
            raise GeoReportError(400, _("查询区间不能超过 90 天。"))
        tickets = tickets.filter(created_at__gte=start, created_at__lte=end)
        if params["status"] == {"open"}:
            tickets = tickets.exclude(status__in=CLOSED_STATUSES)
        elif params["status"] == {"closed"}:
            tickets = tickets.filter(status__in=CLOSED_STATUSES)
        return tickets

    def post(self, request):
        body = flat_body(request.data)
        if "api_key" not in body and "api_key" in request.query_params:  # some clients send the key in the URL
            body["api_key"] = request.query_params["api_key"]
        data = cleaned(RequestPostForm(body))
        user = self.api_user(data["api_key"], required=True)
        ticket = file_request(user=user, data=data)
        return Response(
            [{"service_request_id": ticket.reference, "service_notice": "", "account_id": None}], status=201
        )


class RequestDetailView(GeoReportView):
    def get(self, request, reference: str):
        user = self.api_user(self.params()["api_key"])
        ticket = readable_requests(user).filter(reference=reference).first()
        if ticket is None:
            raise GeoReportError(404, _("服务请求不存在：%(id)s") % {"id": reference})
        return Response([request_json(ticket, detailed=ticket.detailed)])


class TokenView(GeoReportView):
    """We create the request id at once, so a token is the reference itself (of a request the reader may read)."""

    def get(self, request, token: str):
        user = self.api_user(self.params()["api_key"])
        if not readable_requests(user).filter(reference=token).exists():
            raise GeoReportError(404, _("令牌不存在：%(token)s") % {"token": token})
        return Response([{"service_request_id": token, "token": token}])


class DiscoveryView(GeoReportView):
    """GeoReport v2 service discovery: where the endpoint is and what it speaks (JSON only)."""

    def get(self, request):
        self.params()
        contact = _("通过本平台管理员申请 api_key。")
        endpoint = {
            "specification": "http://wiki.open311.org/GeoReport_v2",
            "url": request.build_absolute_uri(reverse("open311:root")),
            "changeset": CHANGESET,
            "type": "production",
            "formats": ["application/json"],
        }
        return Response({"changeset": CHANGESET, "contact": contact, "key_service": contact, "endpoints": [endpoint]})


class UnsupportedFormatView(GeoReportView):
    def get(self, request, rest: str = ""):
        raise GeoReportError(400, _("仅支持 JSON 格式（.json）。"))

    post = get


class NotFoundView(GeoReportView):
    """Any other path under /open311/, with any method: a GeoReport 404, never Django's HTML page."""

    def dispatch_unknown(self, request, *args, **kwargs):
        raise GeoReportError(404, _("地址不存在。"))

    get = post = put = patch = delete = head = options = dispatch_unknown


def _community_for(user, data: dict) -> Organization:
    """The api_key user's community, or the one named by attribute[community_code] inside their scope.

    A code outside the key's scope is a 403, whether or not it exists elsewhere: both answer the same."""
    code = data.get("attribute[community_code]", "").strip()
    if user.scope_id and user.scope.level == Level.COMMUNITY and not code:
        return user.scope
    if not code:
        raise GeoReportError(400, _described("attribute[community_code]", _("请提供社区代码。")))
    community = Organization.objects.visible_to(user).filter(code=code, level=Level.COMMUNITY, is_active=True).first()
    if community is None:
        raise GeoReportError(403, _("社区代码不在该 api_key 的范围内：%(code)s") % {"code": code})
    return community


def _coordinate(value: Decimal | None) -> Decimal | None:
    return None if value is None else value.quantize(COORDINATE)


def _reporter_name(data: dict) -> str:
    name = f"{data.get('last_name', '')}{data.get('first_name', '')}".strip()
    return name or data.get("email", "").strip()[:50] or _("匿名")


def file_request(*, user, data: dict) -> Ticket:
    """POST requests.json: check the key's holder may file, then file through ticket_create (channel open311)."""
    if not user.can_write or user.role == Role.UNIT_LIAISON or not user.scope_id:
        raise GeoReportError(403, _("该 api_key 无权提交服务请求。"))
    item = public_services().filter(code=data["service_code"].strip()).first()
    if item is None:
        raise GeoReportError(404, _("服务不存在：%(code)s") % {"code": data["service_code"]})
    community = _community_for(user, data)
    try:
        return ticket_create(
            by=user, channel=Channel.OPEN311, service_item=item, community=community,
            description=data["description"].strip(), address=data.get("address_string", "").strip(),
            latitude=_coordinate(data.get("lat")), longitude=_coordinate(data.get("long")),
            reporter_name=_reporter_name(data), reporter_phone=data.get("phone", "").strip(),
        )  # fmt: skip
    except ValidationError as exc:
        raise GeoReportInvalid(_validation_errors(exc)) from None
    except PermissionDenied as exc:
        raise GeoReportError(403, str(exc)) from None


OPEN311_NAMES = {"latitude": "lat", "longitude": "long", "address": "address_string", "reporter_phone": "phone"}


def _validation_errors(exc: ValidationError) -> list[tuple[str, str]]:
    if not hasattr(exc, "error_dict"):
        return [("", " ".join(exc.messages))]
    return [(OPEN311_NAMES.get(field, field), " ".join(messages)) for field, messages in exc.message_dict.items()]
