from django.urls import path

from klustera.portal import views

urlpatterns = [
    # Browsers ask for it at the root (for a PDF, say): the brand icon, never a 404.
    path("favicon.ico", views.favicon, name="favicon"),
    path("dashboard/live", views.dashboard_live, name="dashboard-live"),
    path("manage/units/", views.unit_list, name="units-page"),
    path("manage/settings/", views.settings_page, name="settings-page"),
    path("", views.home, name="home"),
]
