"""Unit liaison pages, mounted at /unit/."""

from django.urls import path

from cobuilding import views

app_name = "unit"
urlpatterns = [
    path("", views.UnitHomeView.as_view(), name="home"),
    path("units/<int:pk>/", views.UnitDetailView.as_view(), name="unit"),
    path("agreements/<int:pk>/", views.AgreementDetailView.as_view(), name="agreement"),
    path("commitments/<int:pk>/progress/", views.CommitmentProgressView.as_view(), name="commitment-progress"),
    path("commitments/<int:pk>/verify/", views.CommitmentVerifyView.as_view(), name="commitment-verify"),
    path("meetings/", views.MeetingListView.as_view(), name="meetings"),
    path("meetings/<int:pk>/", views.MeetingDetailView.as_view(), name="meeting"),
    path("items/<int:pk>/", views.AgendaItemView.as_view(), name="item"),
    path("items/<int:pk>/progress/", views.ItemProgressView.as_view(), name="item-progress"),
    path("whistles/", views.WhistleCallListView.as_view(), name="whistles"),
    path("whistles/<int:pk>/", views.WhistleDetailView.as_view(), name="whistle"),
    path("calls/<int:pk>/acknowledge/", views.CallAcknowledgeView.as_view(), name="call-acknowledge"),
    path("calls/<int:pk>/respond/", views.CallRespondView.as_view(), name="call-respond"),
]
