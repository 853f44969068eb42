"""The API's JSON parser: a body is one JSON object, of bounded size and depth, holding no NUL characters.

DRF's own parser reads the whole stream whatever its length (DATA_UPLOAD_MAX_MEMORY_SIZE covers only Django's form
parsing), recurses until Python's stack gives out on deep nesting, and hands a list or a bare string to views that
then call `.get()` on it. Each of those was a 500; here each is a 400 (413 for size) with a message saying which.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import IO, Any, NoReturn

from django.conf import settings
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions, parsers, status

DEFAULT_MAX_BODY_BYTES = 2 * 1024 * 1024
DEFAULT_MAX_DEPTH = 32
CHUNK_BYTES = 64 * 1024


class RequestBodyTooLarge(exceptions.APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = _("请求体过大。")
    default_code = "request_too_large"


def max_body_bytes() -> int:
    return getattr(settings, "API_MAX_BODY_BYTES", DEFAULT_MAX_BODY_BYTES)


def max_depth() -> int:
    return getattr(settings, "API_MAX_JSON_DEPTH", DEFAULT_MAX_DEPTH)


def read_capped(stream: IO[bytes], limit: int) -> bytes:
    """The body, refusing it as soon as it passes `limit` bytes (the Content-Length header may lie or be absent)."""
    chunks: list[bytes] = []
    size = 0
    while chunk := stream.read(CHUNK_BYTES):
        size += len(chunk)
        if size > limit:
            raise RequestBodyTooLarge(_("请求体过大：最多 %(limit)d KB。") % {"limit": limit // 1024})
        chunks.append(chunk)
    return b"".join(chunks)


def check_shape(data: Any, depth_limit: int) -> None:
    """Walk the parsed body without recursion: too deep is a 400, a NUL in any string a 400 naming its field."""
    pending: list[tuple[Any, int, str | None]] = [(data, 1, None)]
    while pending:
        value, depth, field = pending.pop()
        if depth > depth_limit:
            raise exceptions.ParseError(_("JSON 嵌套过深：最多 %(limit)d 层。") % {"limit": depth_limit})
        if isinstance(value, dict):
            for key, item in value.items():
                _check_text(key, field or key)
                pending.append((item, depth + 1, field or key))
        elif isinstance(value, list):
            pending.extend((item, depth + 1, field) for item in value)
        else:
            _check_text(value, field)


def _check_text(value: Any, field: str | None) -> None:
    if isinstance(value, str) and "\x00" in value:
        message = _("不能包含空字符（NUL）。")
        raise exceptions.ValidationError({field: [message]} if field else [message])


class JSONObjectParser(parsers.JSONParser):
    """JSONParser with a size cap, a depth cap, a NUL check, and a top-level object required."""

    def parse(
        self, stream: IO[Any] | None, media_type: str | None = None, parser_context: Mapping[str, Any] | None = None
    ) -> dict[str, Any]:
        if stream is None:
            return {}
        raw = read_capped(stream, max_body_bytes())
        encoding = (parser_context or {}).get("encoding", settings.DEFAULT_CHARSET)
        try:
            data = json.loads(raw.decode(encoding), parse_constant=_refuse_constant)
        except RecursionError:
            raise exceptions.ParseError(_("JSON 嵌套过深：最多 %(limit)d 层。") % {"limit": max_depth()}) from None
        except (ValueError, UnicodeDecodeError) as exc:
            raise exceptions.ParseError(_("JSON 格式错误：%(error)s") % {"error": exc}) from None
        if not isinstance(data, dict):
            raise exceptions.ParseError(_("请求体必须是一个 JSON 对象（{...}）。"))
        check_shape(data, max_depth())
        return data


def _refuse_constant(name: str) -> NoReturn:
    raise ValueError(_("不支持的数值 %(name)s") % {"name": name})
