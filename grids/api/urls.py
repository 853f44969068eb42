from rest_framework.routers import DefaultRouter

from grids.api.views import BuildingViewSet, GridRoleViewSet, GridViewSet, HouseholdViewSet, VisitViewSet

router = DefaultRouter()
router.register("grids", GridViewSet, basename="grid")
router.register("grid-roles", GridRoleViewSet, basename="gridrole")
router.register("buildings", BuildingViewSet, basename="building")
router.register("households", HouseholdViewSet, basename="household")
router.register("visits", VisitViewSet, basename="visit")
