from django.urls import path

from klustera.audit import api, views

api_urlpatterns = [
    path("admin/audit", api.AuditTrailView.as_view(), name="admin-audit"),
]

urlpatterns = [
    path("manage/audit/", views.audit_trail, name="audit-trail-page"),
]
