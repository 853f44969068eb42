from rest_framework.routers import DefaultRouter

from residents.api.views import ResidentViewSet

router = DefaultRouter()
router.register("residents", ResidentViewSet, basename="resident")
