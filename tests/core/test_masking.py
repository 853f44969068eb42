import pytest

from core.masking import mask_id_number, mask_phone


@pytest.mark.parametrize(
    ("value", "masked"),
    [("342524198005170013", "3425**********0013"), ("34252419800517001X", "3425**********001X"), ("", ""),
     ("1234", "****")],
)  # fmt: skip
def test_id_numbers_keep_only_area_prefix_and_last_four(value, masked):
    assert mask_id_number(value) == masked


@pytest.mark.parametrize(
    ("value", "masked"),
    [("13912345678", "139****5678"), ("05632012345", "056****2345"), ("", ""), ("12345", "1****")],
)
def test_phones_keep_prefix_and_last_four(value, masked):
    assert mask_phone(value) == masked
