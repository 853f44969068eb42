"""Serializer fields for model fields the database leaves unbounded: an API text is capped as the pages' bodies are.

A model TextField has no max_length, so DRF's CharField for it took any length (a 60 MB ticket description was
stored, and every list carrying it answered 71 MB). Serializers use CAPPED_FIELD_MAPPING as their
serializer_field_mapping, which gives those fields a max_length of settings.API_TEXT_MAX_LENGTH.
"""

from django.conf import settings
from django.db import models
from rest_framework import serializers

DEFAULT_TEXT_MAX_LENGTH = 10_000


def text_max_length() -> int:
    return getattr(settings, "API_TEXT_MAX_LENGTH", DEFAULT_TEXT_MAX_LENGTH)


class CappedTextField(serializers.CharField):
    """A CharField whose max_length defaults to the API's text cap (an explicit max_length still wins)."""

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", text_max_length())
        super().__init__(**kwargs)


CAPPED_FIELD_MAPPING = {**serializers.ModelSerializer.serializer_field_mapping, models.TextField: CappedTextField}
