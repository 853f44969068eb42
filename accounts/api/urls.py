from django.urls import path
from rest_framework.routers import DefaultRouter

from accounts.api.views import ObtainTokenView, UserViewSet

router = DefaultRouter()
router.register("users", UserViewSet, basename="user")

urlpatterns = [path("auth/token/", ObtainTokenView.as_view(), name="api-token")]
