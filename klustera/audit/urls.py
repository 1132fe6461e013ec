from django.urls import path

from klustera.audit import api

api_urlpatterns = [
    path("admin/audit", api.AuditTrailView.as_view(), name="admin-audit"),
]
