"""Grid worker pages (mobile-first), mounted at /grid/."""

app_name = "grid"
urlpatterns = []
