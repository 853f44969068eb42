"""Grid worker pages (mobile-first), mounted at /grid/: grids, buildings, households, visits and residents.

They live in residents, not grids, because nearly every one shows residents (coverage, household facts, the
resident pages); grids sits below residents and never imports it (tests/test_layers.py).
"""

from django.urls import path

from residents import views

app_name = "grid"
urlpatterns = [
    path("", views.GridListView.as_view(), name="home"),
    path("grids/<int:pk>/", views.GridDetailView.as_view(), name="grid"),
    path("buildings/<int:pk>/", views.BuildingDetailView.as_view(), name="building"),
    path("buildings/<int:building_pk>/households/new/", views.HouseholdCreateView.as_view(), name="household-add"),
    path("households/<int:pk>/", views.HouseholdDetailView.as_view(), name="household"),
    path("households/<int:pk>/edit/", views.HouseholdUpdateView.as_view(), name="household-edit"),
    path("households/<int:household_pk>/visits/new/", views.VisitCreateView.as_view(), name="visit-add"),
    path("households/<int:household_pk>/residents/new/", views.ResidentCreateView.as_view(), name="resident-add"),
    path("residents/<int:pk>/", views.ResidentDetailView.as_view(), name="resident"),
    path("residents/<int:pk>/edit/", views.ResidentUpdateView.as_view(), name="resident-edit"),
    path("residents/<int:pk>/pii/", views.ResidentPIIView.as_view(), name="resident-pii"),
    path("search/", views.ResidentSearchView.as_view(), name="search"),
    path("visits/due/", views.VisitsDueView.as_view(), name="visits-due"),
]
