from django.urls import path

from klustera.estate import api

api_urlpatterns = [
    path("units", api.UnitListView.as_view(), name="unit-list"),
    path("units/<int:pk>", api.UnitDetailView.as_view(), name="unit-detail"),
]
