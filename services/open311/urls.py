"""Open311 GeoReport v2 at /open311/v2/ (JSON only; a .xml URL answers a GeoReport error)."""

from django.urls import path, re_path

from services.open311 import views

app_name = "open311"

urlpatterns = [
    path("services.json", views.ServiceListView.as_view(), name="services"),
    path("services/<str:code>.json", views.ServiceDefinitionView.as_view(), name="service"),
    path("requests.json", views.RequestListView.as_view(), name="requests"),
    path("requests/<str:reference>.json", views.RequestDetailView.as_view(), name="request"),
    path("tokens/<str:token>.json", views.TokenView.as_view(), name="token"),
    re_path(r"^(?P<rest>.+)\.xml$", views.UnsupportedFormatView.as_view(), name="xml"),
]
