from rest_framework.routers import DefaultRouter

from orgs.api.views import OrganizationViewSet, OrgPositionViewSet, PartyMemberViewSet

router = DefaultRouter()
router.register("orgs", OrganizationViewSet, basename="organization")
router.register("party-members", PartyMemberViewSet, basename="partymember")
router.register("positions", OrgPositionViewSet, basename="orgposition")
