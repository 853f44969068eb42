"""ID card and phone validation: the one wrapper every form, serializer and import goes through."""

import datetime
import random

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone
from stdnum.cn import ric

from core import validators
from core.validators import FEMALE, MALE, area_in_use, compact_id_number, normalize_phone, parse_id_number


def _with_check_digit(body17: str) -> str:
    return body17 + ric.calc_check_digit(body17 + "0")


def _code(callable_, *args) -> str:
    with pytest.raises(ValidationError) as caught:
        callable_(*args)
    return caught.value.code


VALID_MALE = _with_check_digit("34252419800517001")  # order 001: odd → male
VALID_FEMALE = _with_check_digit("34252419850302002")


def test_valid_number_yields_birth_date_and_gender():
    facts = parse_id_number(VALID_MALE)
    assert facts.number == VALID_MALE
    assert facts.birth_date == datetime.date(1980, 5, 17)
    assert facts.gender == MALE
    assert parse_id_number(VALID_FEMALE).gender == FEMALE


def test_surrounding_whitespace_is_ignored():
    assert parse_id_number(f"  {VALID_MALE}\t").number == VALID_MALE


def test_wrong_checksum_is_refused():
    last = VALID_MALE[-1]
    wrong = VALID_MALE[:-1] + ("0" if last != "0" else "1")
    assert _code(parse_id_number, wrong) == "id_checksum"


@pytest.mark.parametrize("value", [VALID_MALE[:17], VALID_MALE + "1", "3425241980"])
def test_wrong_length_is_refused(value):
    assert _code(parse_id_number, value) == "id_length"


def test_letters_in_the_body_are_refused():
    assert _code(parse_id_number, "3425241980051700A1") == "id_format"


def test_impossible_birth_date_is_refused():
    number = _with_check_digit("34252419800230001")  # 30 February
    assert _code(parse_id_number, number) == "id_component"


def test_future_birth_date_is_refused():
    future = timezone.localdate() + datetime.timedelta(days=400)
    number = _with_check_digit(f"341881{future:%Y%m%d}001")
    with pytest.raises(ValidationError) as caught:
        parse_id_number(number)
    assert caught.value.code == "id_future_birth"
    assert "晚于今天" in caught.value.messages[0]


def test_fifteen_digit_legacy_number_is_refused_with_its_own_message():
    with pytest.raises(ValidationError) as caught:
        parse_id_number("342524800517001")
    assert caught.value.code == "legacy_id"
    assert "15 位" in caught.value.messages[0]


def test_lower_case_x_is_normalised_to_upper_case():
    body = next(body for n in range(1000) if ric.calc_check_digit((body := f"34252419800517{n:03d}") + "0") == "X")
    assert parse_id_number(body + "x").number == body + "X"


def test_area_table_gap_becomes_a_validation_error(monkeypatch):
    def missing_county(number):
        raise KeyError(number[:6])

    monkeypatch.setattr(ric, "get_birth_place", missing_county)
    area_in_use.cache_clear()  # the area verdict is cached: make this test's stdnum answer it
    try:
        assert _code(parse_id_number, VALID_MALE) == "id_component"
    finally:
        area_in_use.cache_clear()


@pytest.mark.parametrize("value", ["", None])
def test_empty_value_is_refused(value):
    with pytest.raises(ValidationError):
        parse_id_number(value)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("13912345678", "13912345678"),
        ("139 1234 5678", "13912345678"),
        ("+86 139-1234-5678", "13912345678"),
        ("0563-2012345", "05632012345"),
        ("(0563) 2012345", "05632012345"),
        ("021-12345678", "02112345678"),
    ],
)
def test_valid_phone_numbers_are_normalised(typed, expected):
    assert normalize_phone(typed) == expected


@pytest.mark.parametrize("junk", ["abc", "电话", "139123", "1391234567890", "12345"])
def test_junk_or_short_phone_numbers_are_refused(junk):
    assert _code(normalize_phone, junk) == "phone_invalid"


def _message(number: str) -> str:
    with pytest.raises(ValidationError) as caught:
        parse_id_number(number)
    assert caught.value.code == "id_component"
    return caught.value.messages[0]


def test_area_code_issued_after_the_birth_year_says_when_it_was_issued():
    # 341881 (宁国市) has been issued only since 2000: a valid checksum cannot make it belong to someone born in 1985.
    message = _message(_with_check_digit("34188119850302002"))
    assert "341881" in message
    assert "2000" in message
    assert "1985" in message
    assert "宁国市" in message


def test_area_code_in_use_in_the_birth_year_is_accepted():
    assert parse_id_number(_with_check_digit("34188120050302002")).birth_date == datetime.date(2005, 3, 2)


def test_impossible_birth_date_is_named_as_the_date():
    message = _message(_with_check_digit("34252419800230001"))
    assert "19800230" in message
    assert "地区" not in message


def test_unknown_area_code_is_named_as_the_area():
    message = _message(_with_check_digit("99999919800517001"))
    assert "999999" in message
    assert "出生日期" not in message


def test_every_area_by_birth_year_refusal_names_the_area_and_the_year():
    """The class: any code whose use is bounded in time, tried just outside its span, explains itself."""
    from core.validators import _area_counties

    issued_later = [("341881", 1999), ("441881", 1993)]
    retired_before = [("110221", 2005)]
    for area, year in issued_later:
        assert any(start and year < start for _name, start, _end in _area_counties(area))
    for area, year in retired_before:
        assert all(end and year > end for _name, _start, end in _area_counties(area))
    for area, year in issued_later + retired_before:
        message = _message(_with_check_digit(f"{area}{year}0101001"))
        assert area in message and str(year) in message


# --- The fast paths give what the slow ones gave -----------------------------------------------------------------


def _outcome(callable_, value):
    """What a call gives: its result, or the code and messages of its ValidationError."""
    try:
        return callable_(value)
    except ValidationError as exc:
        return ("error", exc.code, exc.messages)


def _slow_parse_id_number(value):
    """parse_id_number as it was before issue 11: stdnum's validate on every value, nothing cached."""
    number = ric.compact(value or "")
    if len(number) == 15 and number.isdigit():
        raise ValidationError(validators._("15 位的一代身份证号已停止使用，请填写 18 位身份证号。"), code="legacy_id")
    try:
        ric.validate(number)
    except validators.stdnum_errors.InvalidLength:
        raise ValidationError(validators._("身份证号应为 18 位。"), code="id_length") from None
    except validators.stdnum_errors.InvalidFormat:
        message = validators._("身份证号前 17 位应为数字，最后一位为数字或 X。")
        raise ValidationError(message, code="id_format") from None
    except validators.stdnum_errors.InvalidChecksum:
        raise ValidationError(validators._("身份证号校验位不正确，请核对。"), code="id_checksum") from None
    except (validators.stdnum_errors.InvalidComponent, KeyError):
        raise ValidationError(validators._component_problem(number), code="id_component") from None
    birth_date = ric.get_birth_date(number)
    if birth_date > timezone.localdate():
        raise ValidationError(validators._("身份证号中的出生日期晚于今天。"), code="id_future_birth")
    gender = MALE if int(number[16]) % 2 == 1 else FEMALE
    return validators.IdCardFacts(number=number, birth_date=birth_date, gender=gender)


def _id_numbers(rng: random.Random) -> list[str]:
    """Valid numbers, and numbers wrong in each way: area (unknown, not yet or no longer in use), date, checksum…"""
    areas = ["342524", "341881", "441881", "110221", "999999", "110101", "340000", "000000"]
    numbers = []
    for _ in range(3000):
        year = rng.choice([rng.randrange(1900, 2030), 1985, 1993, 1999, 2000, 2005])
        month, day = rng.randrange(0, 14), rng.randrange(0, 33)
        body = f"{rng.choice(areas)}{year:04d}{month:02d}{day:02d}{rng.randrange(1000):03d}"
        number = body + ric.calc_check_digit(body + "0")
        numbers.append(number)
        numbers.append(body + rng.choice("0123456789X"))  # mostly a wrong checksum
        numbers.append(number.lower())
        numbers.append(f" {number[:6]} {number[6:]}\t")
    numbers += ["", "   ", "342524800517001", "3425241980051700A1", "3425241980", "３４２５２４１９８００５１７００１"]
    numbers += [VALID_MALE + "`", "`" + VALID_MALE, VALID_MALE.replace("1", "１", 1), VALID_MALE[:17] + "ｘ"]
    return numbers


def test_cached_id_verdicts_give_the_same_facts_messages_and_codes_as_stdnum_on_every_value():
    numbers = _id_numbers(random.Random(11))
    expected = [_outcome(_slow_parse_id_number, number) for number in numbers]
    codes = {outcome[1] for outcome in expected if isinstance(outcome, tuple)}
    assert {"id_length", "id_format", "id_checksum", "id_component", "id_future_birth", "legacy_id"} <= codes
    assert any(isinstance(outcome, validators.IdCardFacts) for outcome in expected)
    area_in_use.cache_clear()
    for _pass in ("cold cache", "warm cache"):
        assert [_outcome(parse_id_number, number) for number in numbers] == expected


def test_id_number_compaction_matches_stdnum():
    for number in _id_numbers(random.Random(12)):
        assert compact_id_number(number) == ric.compact(number)


def _phone_candidates(rng: random.Random) -> list[str]:
    """Every four-digit 1x prefix and every five-digit 16/17 prefix, random others, spaced and hyphenated."""
    prefixes = [str(prefix) for prefix in range(1000, 2000)] + [str(prefix) for prefix in range(16000, 18000)]
    numbers = [prefix + "".join(rng.choices("0123456789", k=11 - len(prefix))) for prefix in prefixes for _ in "ab"]
    numbers += ["1" + "".join(rng.choices("0123456789", k=10)) for _ in range(2000)]
    typed = []
    for number in numbers:
        typed.append(number)
        if rng.random() < 0.3:
            cut = sorted(rng.sample(range(12), 3))
            separator = rng.choice([" ", "-", "  ", " - "])
            typed.append(separator.join(number[a:b] for a, b in zip([0, *cut], [*cut, 12], strict=True) if a < b))
    typed += ["-13912345678", "13912345678-", " 13912345678 ", "1391234567８", "139123456789", "1391234567"]
    typed += ["+8613912345678", "8613912345678", "013912345678", "１３９１２３４５６７８", "139\n12345678"]
    return typed


def test_mobile_fast_path_gives_what_phonenumbers_gives_for_every_generated_number(monkeypatch):
    typed = _phone_candidates(random.Random(13))
    ours = [_outcome(normalize_phone, value) for value in typed]
    monkeypatch.setattr(validators, "_MAINLAND_MOBILE", __import__("re").compile(r"(?!)"))  # the slow path only
    assert ours == [_outcome(normalize_phone, value) for value in typed]
    valid = [outcome for outcome in ours if isinstance(outcome, str)]
    assert len(valid) > 1000 and len(valid) < len(ours) - 1000  # both valid and refused numbers were tried
