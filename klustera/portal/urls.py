from django.urls import path

from klustera.portal import views

urlpatterns = [
    path("dashboard/live", views.dashboard_live, name="dashboard-live"),
    path("manage/units/", views.unit_list, name="units-page"),
    path("", views.home, name="home"),
]
