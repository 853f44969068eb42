from django.contrib.auth.mixins import LoginRequiredMixin
from django.views.generic import TemplateView


class HomeView(LoginRequiredMixin, TemplateView):
    """Landing page after login: where each role goes next (admin, grid pages, dashboards, API docs)."""

    template_name = "home.html"
