from django.urls import path

from klustera.community import api, views

api_urlpatterns = [
    path("announcements", api.AnnouncementsView.as_view(), name="announcements"),
]

urlpatterns = [
    path("announcements/", views.announcements, name="announcements-page"),
]
