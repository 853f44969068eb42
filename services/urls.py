"""Ticket pages, mounted at /tickets/. The public pages (rating link, catalogue) are mounted in config/urls.py."""

from django.urls import path

from services import views

app_name = "tickets"
urlpatterns = [
    path("", views.TicketQueueView.as_view(), name="queue"),
    path("assigned/", views.AssignedTicketsView.as_view(), name="assigned"),
    path("new/", views.TicketIntakeView.as_view(), name="new"),
    path("new/residents/", views.ResidentLookupView.as_view(), name="resident-lookup"),
    path("report/", views.GridReportView.as_view(), name="report"),
    path("from-visit/<int:visit_pk>/", views.VisitTicketView.as_view(), name="from-visit"),
    path("<int:pk>/", views.TicketDetailView.as_view(), name="detail"),
    path("<int:pk>/proxy-errand/", views.ProxyErrandView.as_view(), name="proxy-errand"),
    path("<int:pk>/photos/<int:photo_pk>/", views.TicketPhotoView.as_view(), name="photo"),
    path("wishes/<int:pk>/photo/", views.WishPhotoView.as_view(), name="wish-photo"),
    path("<int:pk>/<slug:action>/", views.TicketActionView.as_view(), name="action"),
]
