from django.urls import path

from klustera.platform import views

urlpatterns = [
    path("platform/", views.platform_console, name="platform-console"),
    path(
        "platform/tenants/<slug:slug>", views.platform_tenant_action, name="platform-tenant-action"
    ),
    path("platform/security/", views.security_events, name="platform-security"),
]
