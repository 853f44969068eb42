from rest_framework.routers import DefaultRouter

from services.api.views import PublishedListEntryViewSet, ServiceItemViewSet, TicketViewSet

router = DefaultRouter()
router.register("service-items", ServiceItemViewSet, basename="serviceitem")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("published-lists", PublishedListEntryViewSet, basename="publishedlistentry")
