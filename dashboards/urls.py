from django.urls import path

from dashboards import views

app_name = "dashboards"

urlpatterns = [
    path("", views.DashboardHomeView.as_view(), name="home"),
    path("org/<int:pk>/", views.NodeDashboardView.as_view(), name="org"),
    path("org/<int:pk>/export.xlsx", views.NodeExportView.as_view(), name="org-export"),
    path("grid/<int:pk>/", views.GridDashboardView.as_view(), name="grid"),
    path("grid/<int:pk>/export.xlsx", views.GridExportView.as_view(), name="grid-export"),
]
