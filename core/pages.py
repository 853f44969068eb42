"""The page side of the one scoping mechanism: server-rendered views reach rows only through `visible_to()`.

Every page view that shows or changes a scoped object mixes in one of these classes. An object outside the user's
scope answers 404, exactly like a missing one; a user whose role may not write (an official) gets 403 on every
form page, whatever the object.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, TypeVar, cast

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Page, Paginator
from django.db import models, transaction
from django.forms import BaseForm, ModelForm
from django.http import HttpRequest, HttpResponse, HttpResponseBase, HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from core.scoping import CHANGE, VIEW, Reader, ScopedQuerySet, ensure_in_scope

_M = TypeVar("_M", bound=models.Model)
_T = TypeVar("_T")


def get_scoped_or_404(
    queryset_or_model: models.QuerySet[_M, Any] | type[_M], user: Reader, action: str = VIEW, **lookup: Any
) -> _M:
    """One scoped row or 404: the way a page fetches a parent object named in its URL."""
    if isinstance(queryset_or_model, type) and issubclass(queryset_or_model, models.Model):
        # A scoped model's manager is built from its ScopedQuerySet (core.scoping), so all() is one.
        queryset = cast("ScopedQuerySet[_M]", queryset_or_model._default_manager.all())
    else:  # a scoped model's queryset, perhaps annotated (which its static type forgets)
        queryset = cast("ScopedQuerySet[_M]", queryset_or_model)
    return get_object_or_404(queryset.visible_to(user, action), **lookup)


class ScopedObjectMixin(LoginRequiredMixin):
    """`get_queryset()` is `Model.objects.visible_to(user, action)`, narrowed only by `scope_related()`."""

    model: type[models.Model]
    scope_action = VIEW
    if TYPE_CHECKING:  # the View's, which these mixins precede
        request: HttpRequest

    def get_queryset(self) -> ScopedQuerySet[Any]:
        # A scoped model's manager is built from its ScopedQuerySet (core.scoping), so it answers visible_to().
        manager = cast("ScopedQuerySet[Any]", self.model._default_manager)
        queryset = manager.visible_to(self.request.user, self.scope_action)
        return self.scope_related(queryset)

    def scope_related(self, queryset: ScopedQuerySet[Any]) -> ScopedQuerySet[Any]:
        """Hook for select_related/prefetch_related (and ordering); never for scope."""
        return queryset


class WriterRequiredMixin(LoginRequiredMixin):
    """Form pages: only roles that may write reach them at all (officials read, never write: 403)."""

    def dispatch(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if request.user.is_authenticated and not request.user.can_write:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedWriteMixin(WriterRequiredMixin, ScopedObjectMixin):
    """Create and edit pages: the edited row comes from `visible_to(user, "change")` and is re-checked on save.

    The save and the scope check share one transaction, so a row that would end up outside the user's scope is
    never committed.
    """

    scope_action = CHANGE
    if TYPE_CHECKING:  # the edit View's, which this mixin precedes
        object: models.Model | None

        def get_success_url(self) -> str: ...

    def form_valid(self, form: ModelForm[Any]) -> HttpResponse:
        with transaction.atomic():
            self.object = self.save_form(form)
            ensure_in_scope(self.object, self.request.user, CHANGE)
        return self.form_saved(form)

    def save_form(self, form: ModelForm[Any]) -> models.Model:
        saved: models.Model = form.save()
        return saved

    def form_saved(self, form: BaseForm) -> HttpResponse:
        return HttpResponseRedirect(self.get_success_url())


def safe_next_url(request: HttpRequest, default: str) -> str:
    """The `next` parameter when it points back into this site, else `default` (no open redirects)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def paginate(request: HttpRequest, queryset: Sequence[_T] | models.QuerySet[Any, _T], per_page: int = 50) -> Page[_T]:
    """A page of `queryset` from ?page=; a bad page number gives the last page rather than an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
