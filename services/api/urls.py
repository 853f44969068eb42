from rest_framework.routers import DefaultRouter

from services.api.views import PublishedListEntryViewSet, ServiceItemViewSet, TicketViewSet

router = DefaultRouter()
router.register("service-items", ServiceItemViewSet, basename="serviceitem")
router.register("tickets", TicketViewSet, basename="ticket")
router.register("published-lists", PublishedListEntryViewSet, basename="publishedlistentry")

from services.api import community_views  # noqa: E402  (point orders, wishes, projects: services/api/community_views.py)

router.register("menu", community_views.MenuServiceViewSet, basename="menuservice")
router.register("orders", community_views.OrderViewSet, basename="order")
router.register("wishes", community_views.MicroWishViewSet, basename="microwish")
router.register("projects", community_views.HousekeeperProjectViewSet, basename="housekeeperproject")

# Non-router endpoints (collected by config/api.py).
from django.urls import path  # noqa: E402

from services.api.stats import TicketStatsView  # noqa: E402

urlpatterns = [
    path("ticket-stats/", TicketStatsView.as_view(), name="ticket-stats"),
]
