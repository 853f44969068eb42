"""Mediation pages, mounted at /mediation/."""

from django.urls import path

from mediation import views

app_name = "mediation"
urlpatterns = [
    path("", views.CaseListView.as_view(), name="list"),
    path("new/", views.CaseOpenView.as_view(), name="open"),
    path("<int:pk>/", views.CaseDetailView.as_view(), name="detail"),
    path("<int:pk>/parties/new/", views.PartyAddView.as_view(), name="party-add"),
    path("<int:pk>/sessions/new/", views.SessionAddView.as_view(), name="session-add"),
    path("<int:pk>/outcome/", views.OutcomeView.as_view(), name="outcome"),
    path("<int:pk>/follow-up/", views.FollowUpView.as_view(), name="follow-up"),
    path("<int:pk>/agreement/", views.AgreementPrintView.as_view(), name="agreement"),
]
