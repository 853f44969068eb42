from rest_framework.routers import DefaultRouter

from dashboards.api.views import LeafMonthFactViewSet

router = DefaultRouter()
router.register("dashboard", LeafMonthFactViewSet, basename="dashboard")
