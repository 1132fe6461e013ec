from django.urls import path

from klustera.community import api

api_urlpatterns = [
    path("announcements", api.AnnouncementsView.as_view(), name="announcements"),
]
