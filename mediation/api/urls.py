from rest_framework.routers import DefaultRouter

from mediation.api.views import DisputeCaseViewSet

router = DefaultRouter()
router.register("mediation-cases", DisputeCaseViewSet, basename="disputecase")
