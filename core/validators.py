"""Validators for Chinese personal identifiers, wrapped once so every form, serializer and import agrees.

The ID card rules come from python-stdnum (`stdnum.cn.ric`: length, checksum, birth date, and the area code as it
was assigned in the birth year). We add what stdnum leaves out: a birth date in the future is refused, and the
KeyError stdnum raises for a few retired area codes becomes a validation error instead of a 500.

15-digit numbers (first-generation cards, withdrawn on 2013-01-01) are refused with their own message: they carry
no checksum, so they cannot be checked, and every living holder has had an 18-digit number since.
"""

import datetime
import functools
import re
from dataclasses import dataclass
from typing import Any

import phonenumbers
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from stdnum import exceptions as stdnum_errors
from stdnum.cn import ric
from stdnum.util import isdigits

MALE = "male"
FEMALE = "female"


@dataclass(frozen=True)
class IdCardFacts:
    """What an 18-digit ID number says about its holder."""

    number: str
    birth_date: datetime.date
    gender: str


def compact_id_number(value: str) -> str:
    """`ric.compact(value)`: the common plain-ASCII value skips stdnum's per-character Unicode clean-up.

    stdnum maps non-ASCII look-alikes (full-width digits, dashes) and the ASCII backquote to ASCII; on any other
    ASCII text its clean-up changes nothing, so upper-casing and stripping is all that is left of it.
    """
    value = value or ""
    if value.isascii() and "`" not in value:
        return value.upper().strip()
    return ric.compact(value)


def parse_id_number(value: str, *, today: datetime.date | None = None) -> IdCardFacts:
    """Validate an ID card number and return its normalised form with the birth date and gender it encodes.

    The same checks as `ric.validate`, in its order, on a number compacted once; the area code's verdict for a
    birth year (stdnum's area table lookup, most of the cost) is cached per (area, year). `today` (default: the
    local date now) lets a caller checking many numbers look the date up once.
    """
    number = compact_id_number(value)
    if len(number) == 15 and number.isdigit():
        raise ValidationError(_("15 位的一代身份证号已停止使用，请填写 18 位身份证号。"), code="legacy_id")
    if len(number) != 18:
        raise ValidationError(_("身份证号应为 18 位。"), code="id_length")
    if not isdigits(number[:-1]):
        raise ValidationError(_("身份证号前 17 位应为数字，最后一位为数字或 X。"), code="id_format")
    if number[-1] != ric.calc_check_digit(number):
        raise ValidationError(_("身份证号校验位不正确，请核对。"), code="id_checksum")
    try:
        birth_date = datetime.date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        birth_date = None
    if birth_date is None or not area_in_use(number[:6], number[6:10]):
        # An impossible birth date, or an area code not in use in the birth year.
        raise ValidationError(_component_problem(number), code="id_component")
    if birth_date > (today or timezone.localdate()):
        raise ValidationError(_("身份证号中的出生日期晚于今天。"), code="id_future_birth")
    gender = MALE if int(number[16]) % 2 == 1 else FEMALE
    return IdCardFacts(number=number, birth_date=birth_date, gender=gender)


@functools.lru_cache(maxsize=65536)
def area_in_use(area: str, year: str) -> bool:
    """stdnum's verdict on a six-digit area code for a four-digit birth year (`ric.get_birth_place`), cached.

    A KeyError is stdnum's answer for a few retired codes whose table entry lacks a county: not in use either.
    """
    try:
        ric.get_birth_place(f"{area}{year}0101")
    except (stdnum_errors.InvalidComponent, KeyError):
        return False
    return True


def _component_problem(number: str) -> str:
    """Say which part of a well-formed number is wrong: the birth date, or the area code (and why, for the year)."""
    try:
        birth_year = ric.get_birth_date(number).year
    except stdnum_errors.InvalidComponent:
        return _("身份证号中的出生日期 %(digits)s 不是真实存在的日期。") % {"digits": number[6:14]}
    area = number[:6]
    counties = _area_counties(area)
    if not counties:
        return _("身份证号的地区代码 %(area)s 不是已知的县级行政区划代码。") % {"area": area}
    periods = _("、").join(_area_period(name, start, end) for name, start, end in counties)
    return _("身份证号的地区代码 %(area)s（%(periods)s）在出生年份 %(year)s 年未使用，不可能属于该年出生的人。") % {
        "area": area,
        "periods": periods,
        "year": birth_year,
    }


def _area_counties(area: str) -> list[tuple[str, int | None, int | None]]:
    """The county-level names stdnum's area table has ever given `area`, each with its years in use (None: open)."""
    from stdnum import numdb

    info = {key: value for _part, props in numdb.get("cn/loc").info(area) for key, value in props.items()}
    counties: list[tuple[str, int | None, int | None]] = []
    for entry in filter(None, info.get("county", "").split(",")):
        match = re.fullmatch(r"\[(\d*)-(\d*)\](.+)", entry)
        if match is None:
            counties.append((entry, None, None))
        else:
            start, end, name = match.groups()
            counties.append((name, int(start) if start else None, int(end) if end else None))
    return counties


def _area_period(name: str, start: int | None, end: int | None) -> str:
    if start and end:
        return _("%(name)s，%(start)s—%(end)s 年使用") % {"name": name, "start": start, "end": end}
    if start:
        return _("%(name)s，%(start)s 年起启用") % {"name": name, "start": start}
    if end:
        return _("%(name)s，%(end)s 年停用") % {"name": name, "end": end}
    return str(name)


def validate_id_number(value: str) -> None:
    parse_id_number(value)


def id_card_mismatch_errors(
    facts: IdCardFacts, *, gender: str | None, birth_date: datetime.date | None
) -> dict[str, ValidationError]:
    """Per-field errors where what was typed disagrees with what the ID number encodes."""
    errors: dict[str, ValidationError] = {}
    if gender and gender != facts.gender:
        errors["gender"] = ValidationError(_("性别与身份证号不符。"), code="gender_mismatch")
    if birth_date and birth_date != facts.birth_date:
        errors["birth_date"] = ValidationError(
            _("出生日期与身份证号不符（身份证号显示为 %(date)s）。"),
            code="birth_date_mismatch",
            params={"date": facts.birth_date.isoformat()},
        )
    return errors


# Eleven ASCII digits of a mainland mobile number: what nearly every phone cell holds, once spaces and hyphens go.
_MAINLAND_MOBILE = re.compile(r"1[3-9][0-9]{9}")


@functools.cache
def _mainland_mobile_pattern() -> re.Pattern[str]:
    """phonenumbers' own pattern of a valid CN mobile number (from its metadata, so it moves with its updates)."""
    metadata = phonenumbers.PhoneMetadata.metadata_for_region("CN")
    assert metadata is not None and metadata.mobile is not None and metadata.mobile.national_number_pattern
    return re.compile(metadata.mobile.national_number_pattern)


def normalize_phone(value: str) -> str:
    """Return a valid Chinese phone number in national form (mobile 139..., landline 0563...), or raise.

    A plain mainland mobile number (spaces and hyphens aside) that phonenumbers' CN mobile pattern accepts is valid,
    and its national form is its eleven digits: it is returned without the full parse (a tenth of the time). Any
    other value, a mobile-looking one with an unassigned prefix included, takes phonenumbers' whole path.
    """
    digits = (value or "").replace(" ", "").replace("-", "")
    if _MAINLAND_MOBILE.fullmatch(digits) and _mainland_mobile_pattern().fullmatch(digits):
        return digits
    try:
        parsed = phonenumbers.parse(value, "CN")
    except phonenumbers.NumberParseException:
        raise ValidationError(_("请输入有效的电话号码。"), code="phone_invalid") from None
    if not phonenumbers.is_valid_number(parsed):
        raise ValidationError(_("请输入有效的电话号码。"), code="phone_invalid")
    if parsed.country_code != 86:
        return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    national = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.NATIONAL)
    return national.replace(" ", "").replace("-", "")


def validate_phone(value: str) -> None:
    normalize_phone(value)


def clean_phone_field(instance: Any, field: str, errors: dict[str, ValidationError]) -> None:
    """For a model's clean(): normalise `field` in place, or record its error under the field's name."""
    value = getattr(instance, field)
    if not value:
        return
    try:
        setattr(instance, field, normalize_phone(value))
    except ValidationError as exc:
        errors[field] = exc


def clean_id_card_fields(instance: Any, errors: dict[str, ValidationError]) -> None:
    """For a model's clean(): check `id_number`, fill gender and birth date from it, flag typed values that differ."""
    if not instance.id_number:
        return
    try:
        facts = parse_id_number(instance.id_number)
    except ValidationError as exc:
        errors["id_number"] = exc
        return
    instance.id_number = facts.number
    errors.update(id_card_mismatch_errors(facts, gender=instance.gender, birth_date=instance.birth_date))
    instance.gender = instance.gender or facts.gender
    instance.birth_date = instance.birth_date or facts.birth_date
