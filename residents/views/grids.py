"""My grid, its buildings and households, and the forms a grid worker fills in on the stairs."""

from django.contrib import messages
from django.contrib.auth.mixins import LoginRequiredMixin
from django.db.models import Count, Exists, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.views.generic import CreateView, DetailView, ListView, UpdateView

from core.pages import ScopedObjectMixin, ScopedWriteMixin, get_scoped_or_404, paginate, safe_next_url
from core.scoping import CHANGE, scope_prefetches
from grids.forms import HouseholdForm, VisitForm
from grids.models import Building, Grid, Household, Visit
from residents.coverage import coverage_breakdown, coverage_gaps
from residents.models import Resident
from residents.selectors import VISIT_RULES, label_households, visits_due


def _current_residents_of_outer_household():
    return Resident.objects.current().filter(household=OuterRef("pk"))


def with_household_facts(households):
    """Resident count, care flag and last visit per household, as subqueries: one query for the whole page."""
    resident_count = (
        _current_residents_of_outer_household().order_by().values("household").annotate(n=Count("pk")).values("n")
    )
    last_visit = Visit.objects.filter(household=OuterRef("pk")).order_by("-visited_on").values("visited_on")[:1]
    return households.annotate(
        resident_count=Coalesce(Subquery(resident_count, output_field=IntegerField()), Value(0)),
        is_care=Exists(_current_residents_of_outer_household().filter(tags__needs_care_visits=True)),
        last_visited_on=Subquery(last_visit),
    )


class GridListView(ScopedObjectMixin, ListView):
    """The grids in the user's scope; a grid worker with one grid goes straight to it."""

    model = Grid
    template_name = "grids/grid_list.html"
    paginate_by = 50

    def scope_related(self, queryset):
        return queryset.select_related("community").order_by("tree_id", "lft")

    def get(self, request, *args, **kwargs):
        first_two = list(self.get_queryset().values_list("pk", flat=True)[:2])
        if len(first_two) == 1:
            return redirect("grid:grid", pk=first_two[0])
        return super().get(request, *args, **kwargs)


class GridDetailView(ScopedObjectMixin, DetailView):
    """My grid: the coverage figures, the gaps to act on, and what the grid holds.

    A grid with sub-grids lists them with their own figures (one breakdown, a fixed number of queries however many
    there are); a grid's own buildings are listed below, and a leaf grid shows only those.
    """

    model = Grid
    template_name = "grids/grid_detail.html"

    def scope_related(self, queryset):
        return queryset.select_related("community", "parent")

    def get_context_data(self, **kwargs):
        grid, user = self.object, self.request.user
        report, children = coverage_breakdown(node=grid)
        buildings = (
            Building.objects.visible_to(user)
            .filter(grid=grid)
            .annotate(household_count=Count("households"))
            .order_by("name")
        )
        gaps = coverage_gaps(grid=grid)
        label_households(gaps["care_households_unvisited"])
        label_households(gaps["households_without_residents"])
        label_households(resident.household for resident in gaps["residents_missing_id_or_phone"])
        return super().get_context_data(
            report=report,
            gaps=gaps,
            buildings=paginate(self.request, buildings),
            children=children,
            here=self.request.get_full_path(),
            **kwargs,
        )


class VisitsDueView(LoginRequiredMixin, ListView):
    """The households a visit rule says are due (关爱户 not visited in time), the longest waiting first."""

    template_name = "grids/visits_due.html"
    context_object_name = "households"
    paginate_by = 50

    def get_queryset(self):
        return visits_due(fetched_by=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        label_households(context["households"])
        return context | {"rules": VISIT_RULES, "here": self.request.get_full_path()}


class BuildingDetailView(ScopedObjectMixin, DetailView):
    model = Building
    template_name = "grids/building_detail.html"

    def scope_related(self, queryset):
        return queryset.select_related("grid")

    def get_context_data(self, **kwargs):
        households = Household.objects.visible_to(self.request.user).filter(building=self.object).select_related("head")
        return super().get_context_data(
            households=paginate(self.request, with_household_facts(households).order_by("unit", "room")), **kwargs
        )


class HouseholdDetailView(ScopedObjectMixin, DetailView):
    model = Household
    template_name = "grids/household_detail.html"

    def scope_related(self, queryset):
        return queryset.select_related("building__grid", "head")

    def get_context_data(self, **kwargs):
        user = self.request.user
        residents = Resident.objects.visible_to(user).filter(household=self.object).prefetch_related("tags")
        visits = Visit.objects.visible_to(user).filter(household=self.object).select_related("visitor", "ticket")
        visits = scope_prefetches(visits.prefetch_related("mediation_cases"), user)  # the "调解" links, scoped
        return super().get_context_data(residents=residents, visits=visits[:10], **kwargs)


class HouseholdCreateView(ScopedWriteMixin, CreateView):
    """Add a household to a building (from the "楼栋无住户" gap or the building page)."""

    model = Household
    form_class = HouseholdForm
    template_name = "grids/household_form.html"

    @cached_property
    def building(self) -> Building:
        return get_scoped_or_404(
            Building.objects.select_related("grid"), self.request.user, CHANGE, pk=self.kwargs["building_pk"]
        )

    def get_form_kwargs(self):
        return super().get_form_kwargs() | {"instance": Household(building=self.building)}

    def get_context_data(self, **kwargs):
        return super().get_context_data(building=self.building, **kwargs)

    def form_saved(self, form):
        messages.success(self.request, _("已添加住户 %(household)s，请登记居民。") % {"household": self.object})
        return super().form_saved(form)

    def get_success_url(self):
        return reverse("grid:household", args=[self.object.pk])


class HouseholdUpdateView(ScopedWriteMixin, UpdateView):
    model = Household
    form_class = HouseholdForm
    template_name = "grids/household_form.html"

    def scope_related(self, queryset):
        return queryset.select_related("building__grid")

    def get_context_data(self, **kwargs):
        return super().get_context_data(building=self.object.building, **kwargs)

    def form_saved(self, form):
        messages.success(self.request, _("已保存。"))
        return super().form_saved(form)

    def get_success_url(self):
        return reverse("grid:household", args=[self.object.pk])


class VisitCreateView(ScopedWriteMixin, CreateView):
    """Record a visit in under a minute: household preselected, today's date, one tap to save."""

    model = Visit
    form_class = VisitForm
    template_name = "grids/visit_form.html"

    @cached_property
    def household(self) -> Household:
        households = with_household_facts(Household.objects.select_related("building"))
        return get_scoped_or_404(households, self.request.user, CHANGE, pk=self.kwargs["household_pk"])

    def get_form_kwargs(self):
        visit = Visit(household=self.household, visitor=self.request.user)
        return super().get_form_kwargs() | {"instance": visit, "care_household": self.household.is_care}

    def get_context_data(self, **kwargs):
        return super().get_context_data(household=self.household, next=self._next_url(), **kwargs)

    def form_saved(self, form):
        messages.success(self.request, _("已记录对 %(household)s 的走访。") % {"household": self.household})
        return super().form_saved(form)

    def get_success_url(self):
        return self._next_url()

    def _next_url(self) -> str:
        return safe_next_url(self.request, reverse("grid:household", args=[self.household.pk]))
