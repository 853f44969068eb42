"""Masked personal-information form fields: the one mechanism for every form that edits an ID number or a phone.

A form shows the stored value masked (3418**********123X), whoever opens it, so opening an edit page or an admin
change page never shows a full number and needs no access-log row; the full value is read only through the logged
path (core.pii.reveal_pii: the detail pages' reveal button and the API's pii action). Submitting the masked value
unchanged keeps the stored one; typing a new full value replaces it and goes through the field's and the model's
validation as before. Page model forms get it through `Meta.formfield_callback = pii_formfield`, the admin through
`PIIMaskedAdminMixin.formfield_for_dbfield`; both name the fields by `pii_masker_for`, so a new model field called
`id_number` or `*phone` is masked in every form without anyone remembering to.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.db import models
from django.forms.boundfield import BoundField

from core.masking import Masker, pii_masker_for


class MaskedBoundField(BoundField):
    """Renders the stored value masked; what the user typed (a bound form re-shown with errors) stays as typed."""

    field: MaskedPIIField

    def value(self) -> Any:
        value = super().value()
        if not self.form.is_bound or (value and value == self.initial):
            return self.field.masker(value or "")
        return value


class MaskedPIIField(forms.CharField):
    """A CharField whose unchanged masked value means "keep what is stored"."""

    def __init__(self, *, masker: Masker, **kwargs: Any) -> None:
        self.masker = masker
        super().__init__(**kwargs)
        self.widget.attrs.setdefault("autocomplete", "off")

    def get_bound_field(self, form: forms.BaseForm, field_name: str) -> BoundField:
        return MaskedBoundField(form, self, field_name)

    def _is_unchanged_mask(self, initial: Any, data: Any) -> bool:
        return bool(initial) and data == self.masker(initial)

    def _clean_bound_field(self, bf: BoundField) -> Any:
        # The form hands a field only its submitted data; the stored value (bf.initial) is needed to tell "the mask
        # sent back unchanged" from a new value. FileField uses this hook the same way for its initial file.
        if not self.disabled and self._is_unchanged_mask(bf.initial, bf.data):
            return self.clean(bf.initial)
        return super()._clean_bound_field(bf)  # type: ignore[misc]  # a private hook of Django's, not in django-stubs

    def has_changed(self, initial: Any, data: Any) -> bool:
        if self._is_unchanged_mask(initial, data):
            return False
        return super().has_changed(initial, data)


def masked_formfield(db_field: models.Field[Any, Any], **kwargs: Any) -> forms.Field | None:
    """The model field's form field, masked when the field holds an ID number or phone."""
    masker = pii_masker_for(db_field.name)
    if masker is None or db_field.choices:
        return db_field.formfield(**kwargs)
    return db_field.formfield(form_class=MaskedPIIField, masker=masker, **kwargs)


# `Meta.formfield_callback` of the page model forms that edit people.
pii_formfield = masked_formfield
