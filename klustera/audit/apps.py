from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "klustera.audit"
    label = "audit"

    def ready(self) -> None:
        from klustera.audit import handlers, tasks  # noqa: F401  (registers the nightly check)
        from klustera.tenancy.signals import tenant_status_changed

        tenant_status_changed.connect(
            handlers.record_status_change, dispatch_uid="audit.tenant_status"
        )
