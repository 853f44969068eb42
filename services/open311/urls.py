"""Open311 GeoReport v2, mounted at /open311/ (JSON only): discovery, then the v2 endpoints under v2/.

The last pattern catches every other path under /open311/, so no answer here is ever Django's HTML 404.
"""

from django.urls import path, re_path

from services.open311 import views

app_name = "open311"

urlpatterns = [
    path("discovery.json", views.DiscoveryView.as_view(), name="discovery"),
    path("v2/", views.DiscoveryView.as_view(), name="root"),
    path("v2/discovery.json", views.DiscoveryView.as_view(), name="discovery-v2"),
    path("v2/services.json", views.ServiceListView.as_view(), name="services"),
    path("v2/services/<str:code>.json", views.ServiceDefinitionView.as_view(), name="service"),
    path("v2/requests.json", views.RequestListView.as_view(), name="requests"),
    path("v2/requests/<str:reference>.json", views.RequestDetailView.as_view(), name="request"),
    path("v2/tokens/<str:token>.json", views.TokenView.as_view(), name="token"),
    re_path(r"^v2/(?P<rest>.+)\.xml$", views.UnsupportedFormatView.as_view(), name="xml"),
    re_path(r"^.*$", views.NotFoundView.as_view(), name="unknown"),
]
