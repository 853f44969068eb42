from django.urls import path
from rest_framework.routers import DefaultRouter

from residents.api.coverage import CoverageView
from residents.api.views import ResidentViewSet

router = DefaultRouter()
router.register("residents", ResidentViewSet, basename="resident")

# Non-router endpoints: the coverage report counts residents, so it lives here (mounted at /api/v1/coverage/).
urlpatterns = [
    path("coverage/", CoverageView.as_view(), name="coverage"),
]
