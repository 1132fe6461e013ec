from django.urls import path

from klustera.platform import views

urlpatterns = [
    path("platform/", views.platform_console, name="platform-console"),
    path(
        "platform/tenants/<slug:slug>", views.platform_tenant_action, name="platform-tenant-action"
    ),
    path("platform/operations/", views.operations, name="platform-operations"),
    path("platform/operations/tasks/<int:pk>/retry", views.retry_task, name="platform-task-retry"),
    path("platform/security/", views.security_events, name="platform-security"),
    path("platform/breaches/", views.breaches, name="platform-breaches"),
    path("platform/breaches/<int:pk>/", views.breach_page, name="platform-breach"),
    path(
        "platform/breaches/<int:pk>/authority.pdf",
        views.breach_authority_pdf,
        name="platform-breach-pdf",
    ),
]
