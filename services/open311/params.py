"""Open311 parameters, checked before anything reaches the database: types, lengths, ranges, real dates, no NUL.

Each endpoint's parameters are a Django form, so every refusal names its parameter with a translated message, and
the view turns the form's errors into GeoReport's error list (one {"code": 400, "description": "name: message"}
per parameter). JSON bodies are flattened first and must be an object whose values are plain strings or numbers.
"""

import datetime
import json
from decimal import Decimal

from django import forms
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext_lazy as _

from services.models import ServiceItem, Ticket

DESCRIPTION_MAX = 4000  # the GeoReport v2 spec: "may be limited to 4000 characters"
MAX_IDS = 100  # service_request_id / service_code lists: one page of a client's own tickets
EARLIEST = datetime.datetime(2000, 1, 1, tzinfo=datetime.UTC)  # before any ticket; leaves room for date arithmetic
LATEST = datetime.datetime(2100, 1, 1, tzinfo=datetime.UTC)
SCALARS = (str, int, float)  # bool is an int, but "true" is not a description: refused below
KEY_MAX = 64  # a DRF token is 40 characters
CODE_MAX = ServiceItem._meta.get_field("code").max_length
REFERENCE_MAX = Ticket._meta.get_field("reference").max_length


class GeoReportInvalid(Exception):
    """Bad input: a list of (parameter, message) pairs, answered as a 400 error list."""

    def __init__(self, errors: list[tuple[str, str]]):
        super().__init__(errors)
        self.errors = errors


def find_nul(value, name: str = "") -> str | None:
    """The name of the first parameter whose key or value holds a NUL character (PostgreSQL cannot store one)."""
    if isinstance(value, str):
        return name if "\x00" in value else None
    if isinstance(value, dict):
        items = value.items()
    elif hasattr(value, "lists"):  # QueryDict: every value of every key
        items = ((key, values) for key, values in value.lists())
    elif isinstance(value, list | tuple):
        items = ((name, item) for item in value)
    else:
        return None
    for key, item in items:
        if isinstance(key, str) and "\x00" in key:
            return key.replace("\x00", "\\0")
        found = find_nul(item, key if isinstance(key, str) else name)
        if found is not None:
            return found
    return None


def flat_body(data) -> dict:
    """Form fields and JSON alike as one flat dict of scalars; attribute[x] or {"attribute": {"x": ...}} both read.

    A body that is not an object, or a value that is a list, an object or a boolean, is a 400 naming it."""
    if hasattr(data, "getlist"):  # form or multipart: the last value of each key, as the rest of Django reads it
        data = {key: data.get(key) for key in data}
    if not isinstance(data, dict):
        raise GeoReportInvalid([("", str(_("请求体必须是 JSON 对象或表单。")))])
    flat, errors = {}, []
    for key, value in data.items():
        attributes = _attributes(value) if key == "attribute" else None
        if attributes is None:
            flat[key] = value
            continue
        for name, item in attributes.items():
            flat.setdefault(f"attribute[{name}]", item)
    for key, value in flat.items():
        if value is not None and (isinstance(value, bool) or not isinstance(value, SCALARS)):
            errors.append((key, str(_("应为字符串或数字。"))))
    if errors:
        raise GeoReportInvalid(errors)
    return {key: value for key, value in flat.items() if value is not None}


def _attributes(value) -> dict | None:
    """`attribute` as an object, or as a JSON object in a form field; None when it is neither."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except (ValueError, RecursionError):
            return None
    return value if isinstance(value, dict) else None


class GeoReportDateTimeField(forms.CharField):
    """ISO 8601 with an offset (a bare "+" in a query string arrives as a space); impossible dates are refused."""

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        if len(value) > 40:
            raise forms.ValidationError(_("不是有效的 ISO 8601 时间。"), code="invalid")
        try:
            parsed = parse_datetime(value.replace(" ", "+"))
        except ValueError:  # well-formed but impossible: 2024-02-30, 25:00
            parsed = None
        if parsed is None:
            raise forms.ValidationError(_("不是有效的 ISO 8601 时间。"), code="invalid")
        try:
            parsed = parsed if timezone.is_aware(parsed) else timezone.make_aware(parsed)
        except (OverflowError, ValueError):
            raise forms.ValidationError(_("不是有效的 ISO 8601 时间。"), code="invalid") from None
        if not EARLIEST <= parsed < LATEST:
            raise forms.ValidationError(
                _("应在 %(earliest)s 与 %(latest)s 之间。"),
                code="out_of_range",
                params={"earliest": EARLIEST.year, "latest": LATEST.year},
            )
        return parsed


class CommaListField(forms.CharField):
    """A comma-separated list (service_request_id, service_code): at most MAX_IDS items of `item_max` characters."""

    def __init__(self, *, item_max: int, **kwargs):
        self.item_max = item_max
        super().__init__(required=False, max_length=MAX_IDS * (item_max + 1), **kwargs)

    def clean(self, value):
        text = super().clean(value)
        items = [part.strip() for part in text.split(",") if part.strip()]
        if len(items) > MAX_IDS:
            raise forms.ValidationError(_("最多 %(n)s 项。"), code="too_many", params={"n": MAX_IDS})
        if any(len(item) > self.item_max for item in items):
            raise forms.ValidationError(_("每项不超过 %(n)s 个字符。"), code="too_long", params={"n": self.item_max})
        return items


class StatusField(forms.CharField):
    def clean(self, value):
        statuses = {part.strip() for part in super().clean(value).split(",") if part.strip()}
        if statuses - {"open", "closed"}:
            raise forms.ValidationError(_("只能是 open 或 closed。"), code="invalid_choice")
        return statuses


class KeyedForm(forms.Form):
    """What every endpoint accepts: the key (optional unless a subclass says so) and the ignored jurisdiction."""

    api_key = forms.CharField(required=False, max_length=KEY_MAX)
    jurisdiction_id = forms.CharField(required=False, max_length=100)


class RequestListForm(KeyedForm):
    service_request_id = CommaListField(item_max=REFERENCE_MAX)
    service_code = CommaListField(item_max=CODE_MAX)
    start_date = GeoReportDateTimeField(required=False)
    end_date = GeoReportDateTimeField(required=False)
    status = StatusField(required=False, max_length=20)

    def clean(self):
        data = super().clean()
        start, end = data.get("start_date"), data.get("end_date")
        if start and end and start > end:
            self.add_error("start_date", _("不能晚于 end_date。"))
        return data


class RequestPostForm(KeyedForm):
    api_key = forms.CharField(max_length=KEY_MAX, error_messages={"required": _("缺少 api_key。")})
    service_code = forms.CharField(max_length=CODE_MAX, error_messages={"required": _("缺少 service_code。")})
    description = forms.CharField(max_length=DESCRIPTION_MAX, error_messages={"required": _("缺少 description。")})
    lat = forms.DecimalField(required=False, min_value=Decimal(-90), max_value=Decimal(90))
    long = forms.DecimalField(required=False, min_value=Decimal(-180), max_value=Decimal(180))
    address_string = forms.CharField(required=False, max_length=Ticket._meta.get_field("address").max_length)
    first_name = forms.CharField(required=False, max_length=25)
    last_name = forms.CharField(required=False, max_length=25)
    email = forms.EmailField(required=False)
    phone = forms.CharField(required=False, max_length=Ticket._meta.get_field("reporter_phone").max_length)
    device_id = forms.CharField(required=False, max_length=100)
    account_id = forms.CharField(required=False, max_length=100)

    def __init__(self, data):
        super().__init__(data)
        self.fields["attribute[community_code]"] = forms.CharField(required=False, max_length=40)

    def clean(self):
        data = super().clean()
        if "lat" not in data or "long" not in data:  # already refused with its own message
            return data
        lat, long = data["lat"], data["long"]
        if (lat is None) != (long is None):
            self.add_error("long" if long is None else "lat", _("lat 和 long 须同时提供。"))
        elif lat is None and not data.get("address_string"):
            self.add_error("address_string", _("请提供位置：lat 和 long，或 address_string。"))
        return data


def cleaned(form: forms.Form) -> dict:
    """The form's cleaned data, or GeoReportInvalid with one (parameter, message) pair per refused parameter."""
    if form.is_valid():
        return form.cleaned_data
    raise GeoReportInvalid(
        [(name, " ".join(str(message) for message in messages)) for name, messages in form.errors.items()]
    )
