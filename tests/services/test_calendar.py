"""Working time on China's calendar: statutory holidays skipped, make-up workdays (调休) counted, office hours only."""

import datetime

from services.tickets.calendar import add_working_hours, is_working_day, working_hours_between

TZ = datetime.timezone(datetime.timedelta(hours=8))


def at(*args) -> datetime.datetime:
    return datetime.datetime(*args, tzinfo=TZ)


def test_make_up_saturday_before_spring_festival_is_a_working_day():
    assert is_working_day(datetime.date(2026, 2, 14))
    assert not is_working_day(datetime.date(2026, 2, 21))  # an ordinary Saturday inside the holiday


def test_national_day_holiday_is_not_a_working_day():
    assert not any(is_working_day(datetime.date(2026, 10, day)) for day in range(1, 8))


def test_hours_left_on_friday_evening_carry_to_the_make_up_saturday():
    assert add_working_hours(at(2026, 2, 13, 17, 0), 1) == at(2026, 2, 14, 9, 30)


def test_deadline_across_national_day_lands_after_the_holiday():
    assert add_working_hours(at(2026, 9, 30, 16, 0), 16) == at(2026, 10, 10, 9, 30)


def test_lunch_break_and_evenings_do_not_count():
    assert add_working_hours(at(2026, 11, 24, 11, 0), 2) == at(2026, 11, 24, 14, 30)
    assert add_working_hours(at(2026, 11, 24, 20, 0), 1) == at(2026, 11, 25, 10, 0)


def test_ordinary_weekend_is_skipped():
    assert add_working_hours(at(2026, 11, 27, 17, 0), 1) == at(2026, 11, 30, 9, 30)


def test_working_hours_between_is_the_inverse_of_add_working_hours():
    start = at(2026, 9, 30, 16, 0)
    assert working_hours_between(start, add_working_hours(start, 16)) == 16
    assert working_hours_between(start, start - datetime.timedelta(hours=1)) == 0
