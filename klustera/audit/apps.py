from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "klustera.audit"
    label = "audit"

    def ready(self) -> None:
        from klustera.audit import handlers, tasks  # noqa: F401  (registers the nightly check)
        from klustera.tenancy.security import security_event
        from klustera.tenancy.signals import tenant_status_changed

        tenant_status_changed.connect(
            handlers.record_status_change, dispatch_uid="audit.tenant_status"
        )
        security_event.connect(handlers.record_security_event, dispatch_uid="audit.security")
