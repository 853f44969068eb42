"""The page side of the one scoping mechanism: server-rendered views reach rows only through `visible_to()`.

Every page view that shows or changes a scoped object mixes in one of these classes. An object outside the user's
scope answers 404, exactly like a missing one; a user whose role may not write (an official) gets 403 on every
form page, whatever the object.
"""

from django.contrib.auth.mixins import LoginRequiredMixin
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db import models, transaction
from django.http import HttpResponseRedirect
from django.shortcuts import get_object_or_404
from django.utils.http import url_has_allowed_host_and_scheme

from core.scoping import CHANGE, VIEW, ensure_in_scope


def get_scoped_or_404(queryset_or_model, user, action: str = VIEW, **lookup):
    """One scoped row or 404: the way a page fetches a parent object named in its URL."""
    queryset = queryset_or_model
    if isinstance(queryset_or_model, type) and issubclass(queryset_or_model, models.Model):
        queryset = queryset_or_model._default_manager.all()
    return get_object_or_404(queryset.visible_to(user, action), **lookup)


class ScopedObjectMixin(LoginRequiredMixin):
    """`get_queryset()` is `Model.objects.visible_to(user, action)`, narrowed only by `scope_related()`."""

    model: type[models.Model]
    scope_action = VIEW

    def get_queryset(self):
        queryset = self.model._default_manager.visible_to(self.request.user, self.scope_action)
        return self.scope_related(queryset)

    def scope_related(self, queryset):
        """Hook for select_related/prefetch_related (and ordering); never for scope."""
        return queryset


class WriterRequiredMixin(LoginRequiredMixin):
    """Form pages: only roles that may write reach them at all (officials read, never write: 403)."""

    def dispatch(self, request, *args, **kwargs):
        if request.user.is_authenticated and not request.user.can_write:
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class ScopedWriteMixin(WriterRequiredMixin, ScopedObjectMixin):
    """Create and edit pages: the edited row comes from `visible_to(user, "change")` and is re-checked on save.

    The save and the scope check share one transaction, so a row that would end up outside the user's scope is
    never committed.
    """

    scope_action = CHANGE

    def form_valid(self, form):
        with transaction.atomic():
            self.object = self.save_form(form)
            ensure_in_scope(self.object, self.request.user, CHANGE)
        return self.form_saved(form)

    def save_form(self, form):
        return form.save()

    def form_saved(self, form):
        return HttpResponseRedirect(self.get_success_url())


def safe_next_url(request, default: str) -> str:
    """The `next` parameter when it points back into this site, else `default` (no open redirects)."""
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if candidate and url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return default


def paginate(request, queryset, per_page: int = 50):
    """A page of `queryset` from ?page=; a bad page number gives the last page rather than an error."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
