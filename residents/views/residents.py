"""Resident pages: detail (masked, with a logged reveal for those allowed), add/edit, and live search."""

from django.contrib import messages
from django.shortcuts import render
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from core.client_ip import client_ip
from core.pages import ScopedObjectMixin, ScopedWriteMixin, get_scoped_or_404
from core.pii import can_view_full_pii, reveal_pii
from core.scoping import CHANGE
from grids.models import Household
from residents.forms import ResidentForm
from residents.models import Resident
from residents.selectors import label_households
from residents.services import resident_create

SEARCH_LIMIT = 30


class ResidentDetailView(ScopedObjectMixin, DetailView):
    model = Resident
    template_name = "residents/resident_detail.html"

    def scope_related(self, queryset):
        return queryset.select_related("household__building__grid__community").prefetch_related("tags")

    def get_context_data(self, **kwargs):
        return super().get_context_data(can_reveal=can_view_full_pii(self.request.user), **kwargs)


class ResidentPIIView(ScopedObjectMixin, DetailView):
    """The full ID number and phone, for users with the permission; reveal_pii logs every view (who, whom, where).

    POST, not GET: each call writes an access-log row, and a prefetching browser must not write one.
    """

    model = Resident
    template_name = "residents/resident_detail.html"
    http_method_names = ["post"]

    def scope_related(self, queryset):
        return queryset.select_related("household__building__grid__community").prefetch_related("tags")

    def post(self, request, *args, **kwargs):
        self.object = resident = self.get_object()
        revealed = reveal_pii(
            instance=resident,
            organization=resident.household.building.grid.community,
            by=request.user,
            ip_address=client_ip(request),
        )
        if request.htmx:
            return render(request, "residents/partials/pii.html", {"resident": resident, "revealed": revealed})
        return self.render_to_response(self.get_context_data(revealed=revealed, can_reveal=True))


class ResidentCreateView(ScopedWriteMixin, CreateView):
    model = Resident
    form_class = ResidentForm
    template_name = "residents/resident_form.html"

    @cached_property
    def household(self) -> Household:
        households = Household.objects.select_related("building__grid")
        return get_scoped_or_404(households, self.request.user, CHANGE, pk=self.kwargs["household_pk"])

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": Resident(household=self.household)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(household=self.household, **kwargs)

    def save_form(self, form):
        return resident_create(
            by=self.request.user, tags=form.cleaned_data["tags"], household=self.household, **form.model_fields()
        )

    def form_saved(self, form):
        messages.success(self.request, _("已登记居民 %(name)s。") % {"name": self.object.name})
        return super().form_saved(form)

    def get_success_url(self):
        return reverse("grid:household", args=[self.household.pk])


class ResidentUpdateView(ScopedWriteMixin, UpdateView):
    model = Resident
    form_class = ResidentForm
    template_name = "residents/resident_form.html"

    def scope_related(self, queryset):
        return queryset.select_related("household__building__grid")

    def get_context_data(self, **kwargs):
        return super().get_context_data(household=self.object.household, **kwargs)

    def form_saved(self, form):
        messages.success(self.request, _("已保存。"))
        return super().form_saved(form)

    def get_success_url(self):
        return reverse("grid:resident", args=[self.object.pk])


class ResidentSearchView(ScopedObjectMixin, ListView):
    """Search by name, pinyin initials (zs → 张三), phone or ID number; one view for the page and the htmx fragment."""

    model = Resident
    template_name = "residents/search.html"

    def get_template_names(self):
        # A history restore (back button after live search) needs the whole page, not the fragment.
        htmx = self.request.htmx
        if htmx and not htmx.history_restore_request:
            return ["residents/partials/search_results.html"]
        return [self.template_name]

    @cached_property
    def term(self) -> str:
        return self.request.GET.get("q", "").strip()[:50]

    def scope_related(self, queryset):
        if not self.term:
            return queryset.none()
        return queryset.search(self.term, by=self.request.user).with_related().order_by("name", "pk")[:SEARCH_LIMIT]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(q=self.term, limit=SEARCH_LIMIT, **kwargs)
        label_households(resident.household for resident in context["object_list"])
        return context
