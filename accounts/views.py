from django.contrib.auth.mixins import LoginRequiredMixin
from django.shortcuts import redirect
from django.views.generic import TemplateView

from accounts.models import Role


class HomeView(LoginRequiredMixin, TemplateView):
    """Landing page after login: where each role goes next (admin, grid pages, dashboards, API docs).

    A grid worker's day is on the grid pages, and a unit liaison's on their unit's pages, so they go straight
    there from the login form.
    """

    template_name = "home.html"

    def get(self, request, *args, **kwargs):
        if request.user.role == Role.GRID_WORKER:
            return redirect("grid:home")
        if request.user.role == Role.UNIT_LIAISON:
            return redirect("unit:home")
        return super().get(request, *args, **kwargs)
