"""Serializer fields for model fields the database leaves unbounded: an API text is capped as the pages' bodies are.

A model TextField has no max_length, so DRF's CharField for it took any length (a 60 MB ticket description was
stored, and every list carrying it answered 71 MB). Serializers use CAPPED_FIELD_MAPPING as their
serializer_field_mapping, which gives those fields a max_length of settings.API_TEXT_MAX_LENGTH.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from rest_framework import serializers

DEFAULT_TEXT_MAX_LENGTH = 10_000


def text_max_length() -> int:
    return getattr(settings, "API_TEXT_MAX_LENGTH", DEFAULT_TEXT_MAX_LENGTH)


class CappedTextField(serializers.CharField):
    """A CharField whose max_length defaults to the API's text cap (an explicit max_length still wins)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("max_length", text_max_length())
        super().__init__(**kwargs)


CAPPED_FIELD_MAPPING = {**serializers.ModelSerializer.serializer_field_mapping, models.TextField: CappedTextField}


class ChoiceDisplayField(serializers.CharField):
    """The label of a choice's value, read-only: what `source="get_<field>_display"` gives, without its per-row cost.

    Model.get_FOO_display() rebuilds a hashable dict of every (lazy, so translated on the spot) label at each call,
    and DRF inspects the method's signature per row: on a 50-row ticket list, a third of the Python time. Here the
    labels are translated once per serialization (and language); an unknown value reads as itself, as there.
    """

    def __init__(self, choices: Iterable[tuple[Any, Any]], **kwargs: Any) -> None:
        self.choice_labels = list(choices)
        self._labels: tuple[str, dict[Any, str]] | None = None
        super().__init__(read_only=True, **kwargs)

    def to_representation(self, value: Any) -> str:
        language = get_language()
        if self._labels is None or self._labels[0] != language:
            self._labels = (language, {key: str(label) for key, label in self.choice_labels})
        return self._labels[1].get(value, str(value))
