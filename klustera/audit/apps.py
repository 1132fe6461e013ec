from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "klustera.audit"
    label = "audit"
