"""The project's base viewset: every API list, read, write and action goes through the user's scope."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models, transaction
from rest_framework import generics, mixins, status, viewsets
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.serializers import BaseSerializer

from core.scoping import CHANGE, VIEW, ensure_in_scope, restrict

# What each HTTP method does to the rows it reaches, decided once here (as NetBox's HTTP_ACTIONS): a detail action
# that writes (POST) reaches only rows the user may change, a GET action only rows they may see.
HTTP_ACTIONS = {
    "GET": VIEW,
    "HEAD": VIEW,
    "OPTIONS": VIEW,
    "POST": CHANGE,
    "PUT": CHANGE,
    "PATCH": CHANGE,
    "DELETE": CHANGE,
}

if TYPE_CHECKING:
    # The mixins below are only ever combined with a GenericAPIView (the viewsets at the end of this module): what
    # they call on `self` is that view's. At run time they stay plain mixins, so the classes' MRO is unchanged.
    _GenericView = generics.GenericAPIView[Any]
    # DRF's classes take no [] at run time; each concrete viewset names its model through its queryset.
    _ModelViewSet = viewsets.ModelViewSet[Any]
    _ReadOnlyModelViewSet = viewsets.ReadOnlyModelViewSet[Any]
else:
    _GenericView = object
    _ModelViewSet = viewsets.ModelViewSet
    _ReadOnlyModelViewSet = viewsets.ReadOnlyModelViewSet


class ScopedViewSetMixin(_GenericView):
    """Rows outside the user's scope do not exist for them (404); a write that would land outside is refused.

    Every viewset of the API derives from it (tests/test_api_battery.py walks the router to hold that). Subclasses
    set `queryset` (with its select_related/prefetch_related), or override `get_base_queryset()` when the rows come
    from a selector; they never override `get_queryset()`, which is where the scope is applied: the rows, and every
    prefetched related row a nested serializer shows, are restricted to the user with the method's action.
    """

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
        # A client (or a test's force_authenticate) may carry one user instance across requests: compute the
        # user's scope afresh once per request, then reuse it for every query of this one.
        forget = getattr(request.user, "forget_scope_nodes", None)
        if forget is not None:
            forget()
        super().initial(request, *args, **kwargs)

    @property
    def scope_action(self) -> str:
        return HTTP_ACTIONS.get(self.request.method or "", CHANGE)

    def get_base_queryset(self) -> models.QuerySet[Any]:
        return super().get_queryset()

    def get_queryset(self) -> models.QuerySet[Any]:
        return restrict(self.get_base_queryset(), self.request.user, self.scope_action)

    def read_answer(self, instance: Any, code: int = status.HTTP_200_OK) -> Response:
        """The row as GET shows it, whatever the method that wrote it: one representation per resource.

        The saved instance lacks what the read queryset adds (annotations, prefetched rows), and a read-only field
        whose source is missing is silently left out; so a write answers with the row fetched afresh through the
        viewset's own queryset, as the requester may see it, serialized by the viewset's read serializer.
        """
        assert self.serializer_class is not None, "a scoped viewset names its read serializer"
        row = restrict(self.get_base_queryset(), self.request.user, VIEW).get(pk=instance.pk)
        return Response(self.serializer_class(row, context=self.get_serializer_context()).data, status=code)

    def perform_create(self, serializer: BaseSerializer[Any]) -> None:
        with transaction.atomic():
            instance = serializer.save()
            ensure_in_scope(instance, self.request.user)

    def perform_update(self, serializer: BaseSerializer[Any]) -> None:
        with transaction.atomic():
            instance = serializer.save()
            ensure_in_scope(instance, self.request.user)


class ReadAnswerCreateMixin(mixins.CreateModelMixin, _GenericView):
    """POST answers with the created row as GET shows it (ScopedViewSetMixin.read_answer)."""

    if TYPE_CHECKING:  # ScopedViewSetMixin's, ahead of this mixin in every viewset that uses it

        def read_answer(self, instance: Any, code: int = status.HTTP_200_OK) -> Response: ...

    def create(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        self.perform_create(serializer)
        return self.read_answer(serializer.instance, status.HTTP_201_CREATED)


class ReadAnswerUpdateMixin(mixins.UpdateModelMixin, _GenericView):
    """PUT and PATCH answer with the updated row as GET shows it (ScopedViewSetMixin.read_answer)."""

    if TYPE_CHECKING:  # ScopedViewSetMixin's, ahead of this mixin in every viewset that uses it

        def read_answer(self, instance: Any, code: int = status.HTTP_200_OK) -> Response: ...

    def update(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        partial = kwargs.pop("partial", False)
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        self.perform_update(serializer)
        return self.read_answer(serializer.instance)


class ScopedModelViewSet(ScopedViewSetMixin, ReadAnswerCreateMixin, ReadAnswerUpdateMixin, _ModelViewSet):
    """The usual scoped viewset: list, read, create, update, delete, each inside the user's scope."""


class ScopedReadCreateViewSet(ScopedViewSetMixin, ReadAnswerCreateMixin, _ReadOnlyModelViewSet):
    """Rows made and moved only by services (orders, wishes): list, read, create and POST actions, no edits."""


class ScopedReadOnlyViewSet(ScopedViewSetMixin, _ReadOnlyModelViewSet):
    """Rows read through the API and changed only by actions (or elsewhere)."""
