from rest_framework.routers import DefaultRouter

router = DefaultRouter()

# Non-router endpoints (e.g. coverage/) go here.
urlpatterns = []
