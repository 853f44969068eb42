"""Open311 GeoReport v2 endpoints (JSON). Reads are public; filing a request needs `api_key` (a DRF token).

Errors are GeoReport errors: a list of {"code", "description"} with the same HTTP status. jurisdiction_id is
accepted and ignored (one jurisdiction per deployment). Filing goes through services.services.ticket_create.
"""

import datetime
import json
from decimal import Decimal, InvalidOperation

from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token
from rest_framework.exceptions import APIException
from rest_framework.parsers import FormParser, JSONParser, MultiPartParser
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView

from accounts.models import Role
from core.ratelimit import error_list_reply, rate_limit
from orgs.models import Organization
from orgs.rules import Level
from services.models import Channel, ServiceItem, Ticket
from services.open311.serializers import (
    CLOSED_STATUSES,
    request_json,
    service_definition_json,
    service_json,
    with_latest_event,
)
from services.services import ticket_create

DEFAULT_WINDOW = datetime.timedelta(days=90)
MAX_REQUESTS = 1000
COORDINATE = Decimal("0.000001")


class GeoReportError(Exception):
    def __init__(self, status: int, description: str):
        super().__init__(description)
        self.status = status
        self.description = description


def error_response(status: int, description: str) -> Response:
    return Response([{"code": status, "description": description}], status=status)


class GeoReportView(APIView):
    """No session or token authentication (the key comes as `api_key`), so no CSRF; every error in spec form."""

    schema = None  # not part of /api/v1/'s OpenAPI: the GeoReport v2 spec documents it
    authentication_classes = []
    permission_classes = [AllowAny]
    parser_classes = [JSONParser, FormParser, MultiPartParser]

    def handle_exception(self, exc):
        if isinstance(exc, GeoReportError):
            return error_response(exc.status, exc.description)
        if isinstance(exc, APIException):
            return error_response(exc.status_code, str(exc.detail))
        raise exc

    def api_user(self, *, required: bool):
        """The user behind `api_key` (query string or body), or None when none was given and none is required."""
        key = self.request.query_params.get("api_key") or _body(self.request).get("api_key")
        if not key:
            if required:
                raise GeoReportError(400, _("缺少 api_key。"))
            return None
        token = Token.objects.select_related("user").filter(key=str(key)).first()
        if token is None or not token.user.is_active:
            raise GeoReportError(403, _("api_key 无效。"))
        return token.user


def _body(request) -> dict:
    data = request.data if request.method == "POST" else {}
    return data if hasattr(data, "get") else {}


def public_services():
    return ServiceItem.objects.filter(is_active=True, is_public=True).order_by("category", "code")


class ServiceListView(GeoReportView):
    def get(self, request):
        return Response([service_json(item) for item in public_services()])


class ServiceDefinitionView(GeoReportView):
    def get(self, request, code: str):
        item = public_services().filter(code=code).first()
        if item is None:
            raise GeoReportError(404, _("服务不存在：%(code)s") % {"code": code})
        return Response(service_definition_json(item))


def _parse_when(value: str, name: str) -> datetime.datetime:
    parsed = parse_datetime(value.replace(" ", "+")) if value else None  # a bare "+" in a query string is a space
    if parsed is None:
        raise GeoReportError(400, _("%(name)s 不是有效的 ISO 8601 时间。") % {"name": name})
    return parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)


def _visible_requests(user):
    """A caller with a key reads the tickets of their scope in full; anyone else the public items' tickets."""
    if user is not None:
        return with_latest_event(Ticket.objects.visible_to(user))
    return with_latest_event(Ticket.objects.filter(service_item__is_public=True))


# Filing is rate-limited per client address, answered with a GeoReport error list (helper "login", issue 9).
@method_decorator(rate_limit("open311_write", methods=("POST",), reply=error_list_reply), name="dispatch")
class RequestListView(GeoReportView):
    def get(self, request):
        user = self.api_user(required=False)
        tickets = self.filtered(_visible_requests(user), request.query_params)
        rows = tickets.order_by("-created_at", "-id")[:MAX_REQUESTS]
        return Response([request_json(ticket, detailed=user is not None) for ticket in rows])

    @staticmethod
    def filtered(tickets, params):
        ids = [part.strip() for part in params.get("service_request_id", "").split(",") if part.strip()]
        if ids:  # the spec: other parameters are ignored when ids are given
            return tickets.filter(reference__in=ids)
        codes = [part.strip() for part in params.get("service_code", "").split(",") if part.strip()]
        if codes:
            tickets = tickets.filter(service_item__code__in=codes)
        end = _parse_when(params["end_date"], "end_date") if params.get("end_date") else timezone.now()
        start = _parse_when(params["start_date"], "start_date") if params.get("start_date") else end - DEFAULT_WINDOW
        if start > end:
            raise GeoReportError(400, _("start_date 不能晚于 end_date。"))
        if end - start > DEFAULT_WINDOW:
            raise GeoReportError(400, _("查询区间不能超过 90 天。"))
        tickets = tickets.filter(created_at__gte=start, created_at__lte=end)
        statuses = {part.strip() for part in params.get("status", "").split(",") if part.strip()}
        if statuses - {"open", "closed"}:
            raise GeoReportError(400, _("status 只能是 open 或 closed。"))
        if statuses == {"open"}:
            tickets = tickets.exclude(status__in=CLOSED_STATUSES)
        elif statuses == {"closed"}:
            tickets = tickets.filter(status__in=CLOSED_STATUSES)
        return tickets

    def post(self, request):
        user = self.api_user(required=True)
        ticket = file_request(user=user, data=_flat(request.data))
        return Response(
            [{"service_request_id": ticket.reference, "service_notice": "", "account_id": None}], status=201
        )


class RequestDetailView(GeoReportView):
    def get(self, request, reference: str):
        user = self.api_user(required=False)
        ticket = _visible_requests(user).filter(reference=reference).first()
        if ticket is None:
            raise GeoReportError(404, _("服务请求不存在：%(id)s") % {"id": reference})
        return Response([request_json(ticket, detailed=user is not None)])


class TokenView(GeoReportView):
    """We create the request id at once, so a token is the reference itself."""

    def get(self, request, token: str):
        if not Ticket.objects.filter(reference=token).exists():
            raise GeoReportError(404, _("令牌不存在：%(token)s") % {"token": token})
        return Response([{"service_request_id": token, "token": token}])


class UnsupportedFormatView(GeoReportView):
    def get(self, request, rest: str = ""):
        raise GeoReportError(400, _("仅支持 JSON 格式（.json）。"))

    post = get


def _flat(data) -> dict:
    """Form fields and JSON alike as one flat dict; attribute[community_code] or {"attribute": {...}} both read."""
    flat = {key: (data.get(key) if hasattr(data, "getlist") else data[key]) for key in data}
    attributes = flat.get("attribute")
    if isinstance(attributes, str):
        try:
            attributes = json.loads(attributes)
        except ValueError:
            attributes = None
    if isinstance(attributes, dict):
        for key, value in attributes.items():
            flat.setdefault(f"attribute[{key}]", value)
    return flat


def _community_for(user, data: dict) -> Organization:
    """The api_key user's community, or the one named by attribute[community_code] inside their scope."""
    if user.scope_id and user.scope.level == Level.COMMUNITY and not data.get("attribute[community_code]"):
        return user.scope
    code = str(data.get("attribute[community_code]") or "").strip()
    if not code:
        raise GeoReportError(400, _("请提供 attribute[community_code]（社区代码）。"))
    community = Organization.objects.visible_to(user).filter(code=code, level=Level.COMMUNITY, is_active=True).first()
    if community is None:
        raise GeoReportError(400, _("社区代码无效或不在该 api_key 的范围内：%(code)s") % {"code": code})
    return community


def _coordinate(data: dict, name: str) -> Decimal | None:
    raw = data.get(name)
    if raw in (None, ""):
        return None
    try:
        return Decimal(str(raw)).quantize(COORDINATE)
    except InvalidOperation:
        raise GeoReportError(400, _("%(name)s 不是有效的数字。") % {"name": name}) from None


def _reporter_name(data: dict) -> str:
    name = f"{data.get('last_name') or ''}{data.get('first_name') or ''}".strip()
    return name or str(data.get("email") or "").strip() or _("匿名")


def file_request(*, user, data: dict) -> Ticket:
    """POST requests.json: check the key's holder may file, then file through ticket_create (channel open311)."""
    if not user.can_write or user.role == Role.UNIT_LIAISON or not user.scope_id:
        raise GeoReportError(403, _("该 api_key 无权提交服务请求。"))
    code = str(data.get("service_code") or "").strip()
    if not code:
        raise GeoReportError(400, _("缺少 service_code。"))
    item = public_services().filter(code=code).first()
    if item is None:
        raise GeoReportError(404, _("服务不存在：%(code)s") % {"code": code})
    latitude, longitude = _coordinate(data, "lat"), _coordinate(data, "long")
    address = str(data.get("address_string") or "").strip()
    if latitude is None and longitude is None and not address:
        raise GeoReportError(400, _("请提供位置：lat 和 long，或 address_string。"))
    description = str(data.get("description") or "").strip()
    if not description:
        raise GeoReportError(400, _("缺少 description。"))
    community = _community_for(user, data)
    try:
        return ticket_create(
            by=user, channel=Channel.OPEN311, service_item=item, community=community, description=description,
            address=address[:200], latitude=latitude, longitude=longitude, reporter_name=_reporter_name(data)[:50],
            reporter_phone=str(data.get("phone") or "").strip(),
        )  # fmt: skip
    except ValidationError as exc:
        raise GeoReportError(400, _validation_text(exc)) from None
    except PermissionDenied as exc:
        raise GeoReportError(403, str(exc)) from None


OPEN311_NAMES = {"latitude": "lat", "longitude": "long", "address": "address_string", "reporter_phone": "phone"}


def _validation_text(exc: ValidationError) -> str:
    if not hasattr(exc, "error_dict"):
        return " ".join(exc.messages)
    return "; ".join(
        f"{OPEN311_NAMES.get(field, field)}: {' '.join(messages)}" for field, messages in exc.message_dict.items()
    )
