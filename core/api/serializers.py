"""Base serializer: related choices scoped to the user, and the model's own clean() as the validation rule."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from django.core.exceptions import FieldDoesNotExist
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import models
from rest_framework import serializers

from core.api.exceptions import as_drf_validation_error
from core.api.fields import CAPPED_FIELD_MAPPING
from core.scoping import VIEW

if TYPE_CHECKING:
    # DRF's classes take no [] at run time; the model of each concrete serializer is its Meta's.
    _PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField[Any]
    _Serializer = serializers.Serializer[Any]
    _ModelSerializer = serializers.ModelSerializer[Any]
    _SerializerMixin = serializers.Serializer[Any]  # what NullableSourcesMixin is mixed into
else:
    _SerializerMixin = object
    _PrimaryKeyRelatedField = serializers.PrimaryKeyRelatedField
    _Serializer = serializers.Serializer
    _ModelSerializer = serializers.ModelSerializer

# A field's own reach, replacing `visible_to`: (the field's queryset, the requester) -> the rows it may name.
ScopeRule = Callable[[models.QuerySet[Any], Any], models.QuerySet[Any]]


class ScopedPrimaryKeyRelatedField(_PrimaryKeyRelatedField):
    """A foreign key named by a request, looked up only among the rows the requester may see.

    Out of scope answers exactly like nonexistent (DRF's "object does not exist" 400), so an id never tells
    whether a row exists elsewhere. Use it for every id an action's input takes; ScopedModelSerializer builds its
    relations with it. `action="change"` looks up only rows the requester may change; `scope(queryset, user)`
    replaces the rule for a field whose reach is not plain `visible_to` (a ticket's community for a grid worker).
    """

    def __init__(self, scope: ScopeRule | None = None, action: str = VIEW, **kwargs: Any) -> None:
        self.scope, self.action = scope, action
        super().__init__(**kwargs)

    def get_queryset(self) -> models.QuerySet[Any] | None:
        queryset = super().get_queryset()
        request = self.context.get("request")
        if request is None:  # no requester: a server-side use (a task, the schema), not a client's lookup
            return queryset
        if queryset is None:  # DRF's own assertion (a writable field names its queryset) answers this case
            return queryset
        if self.scope is not None:
            return self.scope(queryset, request.user)
        if hasattr(queryset, "visible_to"):
            scoped: models.QuerySet[Any] = queryset.visible_to(request.user, self.action)
            return scoped
        return queryset


def _scope_related_field(field: serializers.Field[Any, Any, Any, Any], user: Any) -> None:
    relation: Any = getattr(field, "child_relation", field)  # a relation of any kind: its queryset is duck-typed
    if isinstance(relation, ScopedPrimaryKeyRelatedField):
        return  # scoped when it looks a value up
    queryset = getattr(relation, "queryset", None)
    if queryset is not None and hasattr(queryset, "visible_to"):
        relation.queryset = queryset.visible_to(user)


class ScopedInputSerializer(_Serializer):
    """An action's input: every related field it declares offers only rows the requester may see."""

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            for field in fields.values():
                _scope_related_field(field, request.user)
        return fields


def _source_may_be_null(model: type[models.Model], path: list[str]) -> bool:
    """Whether following `path` from `model` can meet a None: a nullable relation on the way to the last name."""
    for name in path[:-1]:
        try:
            # Any: get_field() answers a field, a reverse relation or a generic key, and the walk reads them alike.
            field: Any = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        if not field.is_relation or field.many_to_many or field.one_to_many:
            return False
        if field.null:
            return True
        model = field.related_model
    return False


def _is_blank_field(model: type[models.Model], path: list[str]) -> bool:
    if len(path) != 1:
        return False
    try:
        field: Any = model._meta.get_field(path[0])  # as in _source_may_be_null
        return bool(field.blank)
    except FieldDoesNotExist:
        return False


class NullableSourcesMixin(_SerializerMixin):
    """A read-only field reached through a nullable relation (`source="handling_org.name"`) answers null, and says so.

    DRF leaves such a field out of the answer when the relation is empty (its required=False read as "skip"), and
    drf-spectacular documents it as a required, non-nullable string: a client generated from the schema broke on
    either. Marking it allow_null makes DRF answer `null` and the schema say `nullable`; a read-only default of None
    is nullable for the same reason.
    """

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        model = getattr(getattr(self, "Meta", None), "model", None)
        for name, field in fields.items():
            if not field.read_only:
                continue
            source = str(field.source or name).split(".")  # a bound field's source is a dotted name
            if field.default is None or (model is not None and _source_may_be_null(model, source)):
                field.allow_null = True
            if isinstance(field, serializers.ChoiceField) and model is not None and _is_blank_field(model, source):
                field.allow_blank = True  # a read-only choice left blank answers "", beside the enum's values
        return fields


class ScopedModelSerializer(NullableSourcesMixin, _ModelSerializer):
    """Every writable foreign key offers only rows the user may see: a row outside scope reads as "does not exist".

    Validation runs the model's full_clean(), so rules written once on the model (the level rule table, ID checks,
    uniqueness among active rows) answer the API exactly as they answer the admin.
    """

    serializer_field_mapping = CAPPED_FIELD_MAPPING  # issue 9 (badinput): text fields capped (core/api/fields.py)
    serializer_related_field = ScopedPrimaryKeyRelatedField

    def get_validators(self) -> list[Any]:
        # The model's full_clean() below checks unique-together and (conditional) unique constraints with the
        # model's own messages; DRF's generated copies of them would run first, and crash on a partial update of a
        # conditional constraint, so they are left out here, once, for every serializer.
        return []

    def get_uniqueness_extra_kwargs(
        self, field_names: Any, declared_fields: Any, extra_kwargs: dict[str, Any]
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        # Nor does DRF make the fields of those constraints required: the model decides what is required.
        return (extra_kwargs, {})

    def get_fields(self) -> dict[str, serializers.Field[Any, Any, Any, Any]]:
        fields = super().get_fields()
        request = self.context.get("request")
        if request is not None:
            for field in fields.values():
                if not field.read_only:
                    _scope_related_field(field, request.user)
        return fields

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        attrs = super().validate(attrs)
        model = self.Meta.model
        instance = self._candidate(model, attrs)
        try:
            instance.full_clean(exclude=self._clean_exclusions(model))
        except DjangoValidationError as exc:
            raise as_drf_validation_error(exc) from None
        # clean() may normalise or derive values (an ID number upper-cased, a birth date read from it): keep them.
        for name, field in self.fields.items():
            if not field.read_only and field.source == name and self._is_model_field(model, name):
                attrs[name] = getattr(instance, name)
        return attrs

    def _candidate(self, model: type[models.Model], attrs: Mapping[str, Any]) -> models.Model:
        instance = model._default_manager.get(pk=self.instance.pk) if self.instance is not None else model()
        for name, value in attrs.items():
            if self._is_model_field(model, name):
                setattr(instance, name, value)
        return instance

    @staticmethod
    def _is_model_field(model: type[models.Model], name: str) -> bool:
        """A plain or foreign-key field of the model (many-to-many values are set after saving)."""
        try:
            field = model._meta.get_field(name)
        except FieldDoesNotExist:
            return False
        return field.concrete and not field.many_to_many

    def _clean_exclusions(self, model: type[models.Model]) -> list[str]:
        # Fields the serializer does not expose are set by the server; their blank state is not the client's error.
        exposed = {name for name, f in self.fields.items() if not f.read_only}
        return [f.name for f in model._meta.concrete_fields if f.name not in exposed]


class MaskedCharField(serializers.CharField):
    """Writes take the full value; reads always return it masked (see core.masking)."""

    def __init__(self, masker: Callable[[str], str], **kwargs: Any) -> None:
        self.masker = masker
        super().__init__(**kwargs)

    def to_representation(self, value: Any) -> str:
        return self.masker(str(value or ""))
