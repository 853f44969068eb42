"""Working time on China's calendar: statutory holidays and make-up workdays (调休) from the holidays package.

Deadlines are counted in working hours inside office hours (09:00–12:00, 13:30–17:30, Asia/Shanghai, 7 hours a
day), skipping weekends and holidays but counting the weekend days that are official make-up workdays.
"""

import datetime
from functools import lru_cache

import holidays
from django.utils import timezone
from django.utils.translation import ngettext

OFFICE_PERIODS = ((datetime.time(9, 0), datetime.time(12, 0)), (datetime.time(13, 30), datetime.time(17, 30)))


def _hours(start: datetime.time, end: datetime.time) -> float:
    return (
        datetime.datetime.combine(datetime.date.min, end) - datetime.datetime.combine(datetime.date.min, start)
    ).seconds / 3600


WORKING_DAY_HOURS = sum(_hours(start, end) for start, end in OFFICE_PERIODS)  # 7


def working_time_label(hours: int | float) -> str:
    """A time limit as residents read it: "5 个工作日" when it is whole working days, else "4 个工作小时"."""
    days, rest = divmod(hours, WORKING_DAY_HOURS)
    if hours and not rest:
        days = int(days)
        return ngettext("%(n)s 个工作日", "%(n)s 个工作日", days) % {"n": days}
    shown = int(hours) if float(hours).is_integer() else hours
    return ngettext("%(n)s 个工作小时", "%(n)s 个工作小时", shown) % {"n": shown}


@lru_cache(maxsize=16)
def _china(year: int) -> holidays.HolidayBase:
    return holidays.China(years=year)


def is_working_day(day: datetime.date) -> bool:
    return _china(day.year).is_working_day(day)


def _periods(day: datetime.date, tz) -> list[tuple[datetime.datetime, datetime.datetime]]:
    return [
        (datetime.datetime.combine(day, start, tz), datetime.datetime.combine(day, end, tz))
        for start, end in OFFICE_PERIODS
    ]


def add_working_hours(start: datetime.datetime, hours: float) -> datetime.datetime:
    """The moment `hours` working hours after `start` (an aware datetime); returned in the current time zone."""
    tz = timezone.get_current_timezone()
    moment = timezone.localtime(start, tz)
    remaining = datetime.timedelta(hours=hours)
    day = moment.date()
    for _ in range(3660):  # ten years of days: a bound, never reached by a real deadline
        if is_working_day(day):
            for begin, end in _periods(day, tz):
                if moment >= end:
                    continue
                begin = max(begin, moment)
                available = end - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        day += datetime.timedelta(days=1)
        moment = datetime.datetime.combine(day, datetime.time.min, tz)
    raise ValueError("deadline beyond the calendar's reach")


def working_hours_between(start: datetime.datetime, end: datetime.datetime) -> float:
    """Working hours elapsed from `start` to `end` (0 when end precedes start)."""
    if end <= start:
        return 0.0
    tz = timezone.get_current_timezone()
    start, end = timezone.localtime(start, tz), timezone.localtime(end, tz)
    total = datetime.timedelta()
    day = start.date()
    while day <= end.date():
        if is_working_day(day):
            for begin, finish in _periods(day, tz):
                overlap = min(finish, end) - max(begin, start)
                if overlap > datetime.timedelta():
                    total += overlap
        day += datetime.timedelta(days=1)
    return total.total_seconds() / 3600
