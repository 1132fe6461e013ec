from django.urls import path

from klustera.portal import pwa, views

urlpatterns = [
    # Browsers ask for it at the root (for a PDF, say): the brand icon, never a 404.
    path("favicon.ico", views.favicon, name="favicon"),
    path("manifest.webmanifest", pwa.manifest, name="manifest"),
    path("sw.js", pwa.service_worker, name="service-worker"),
    path("offline", pwa.offline, name="offline"),
    path("dashboard/live", views.dashboard_live, name="dashboard-live"),
    path("manage/units/", views.unit_list, name="units-page"),
    path("manage/settings/", views.settings_page, name="settings-page"),
    path("", views.home, name="home"),
]
