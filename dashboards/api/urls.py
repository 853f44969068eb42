from django.urls import path
from rest_framework.routers import DefaultRouter

from dashboards.api.views import DashboardView, LeafMonthFactViewSet

router = DefaultRouter()
router.register("dashboard-facts", LeafMonthFactViewSet, basename="dashboard-facts")

# Non-router endpoint: a node's figures, one answer shape (mounted at /api/v1/dashboard/).
urlpatterns = [
    path("dashboard/", DashboardView.as_view(), name="dashboard"),
]
