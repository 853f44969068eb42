"""Masking of personal information (PIPL): one mechanism for lists, search, API and exports.

Masked by default everywhere; the full value is shown only through `reveal()`, which needs the permission
`accounts.view_full_pii` and writes an access log row for every full view.
"""

from collections.abc import Callable

from django.utils.translation import gettext_lazy as _

Masker = Callable[[str], str]


def mask_id_number(value: str) -> str:
    """3418**********123X: the area prefix and the last four survive, enough to tell two people apart."""
    if not value:
        return ""
    if len(value) <= 8:
        return "*" * len(value)
    return value[:4] + "*" * (len(value) - 8) + value[-4:]


def mask_phone(value: str) -> str:
    """139****5678 for mobiles; landlines keep their area code and last four."""
    if not value:
        return ""
    if len(value) <= 7:
        return value[:1] + "*" * (len(value) - 1)
    return value[:3] + "*" * (len(value) - 7) + value[-4:]


def mask_name(value: str) -> str:
    """张**: the surname survives and every other character is starred (public pages such as the wish wall)."""
    value = (value or "").strip()
    if not value:
        return ""
    return value[:1] + "*" * max(len(value) - 1, 1)


MASKERS = {"id_number": mask_id_number, "phone": mask_phone}


def pii_masker_for(field_name: str) -> Masker | None:
    """The masker of a model field holding personal information, by its name; None for any other field."""
    if field_name.startswith("masked_"):  # an admin's masked display of such a field, already masked
        return None
    if field_name == "id_number":
        return mask_id_number
    if field_name == "phone" or field_name.endswith("_phone"):
        return mask_phone
    return None


MASKED_HINT = _("已脱敏")
