from django.urls import path

from klustera.accounts import api

api_urlpatterns = [
    path("auth/me", api.MeView.as_view(), name="auth-me"),
]
