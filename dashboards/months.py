"""The ?month=YYYY-MM parameter, parsed the same way by the pages and the API."""

from __future__ import annotations

import datetime
import re

from django.utils.translation import gettext as _

_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


def parse_month(value: str | None) -> datetime.date | None:
    """The first day of the month named "YYYY-MM"; None when absent; ValueError (with a message for the user)
    when malformed or out of range."""
    if not value:
        return None
    match = _MONTH.match(value)
    if not match or not 1 <= int(match[2]) <= 12 or int(match[1]) < 1900:
        raise ValueError(_("月份格式应为 YYYY-MM，例如 2026-11。"))
    return datetime.date(int(match[1]), int(match[2]), 1)
