from django.apps import AppConfig
from django.db.models.signals import post_delete, post_save


class TenancyConfig(AppConfig):
    name = "klustera.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from klustera.tenancy.connections import remember_connections_made
        from klustera.tenancy.models import Domain, Tenant
        from klustera.tenancy.resolution import forget_resolutions

        remember_connections_made()
        for model in (Tenant, Domain):  # however they change: a service, the shell, a restore
            post_save.connect(forget_resolutions, sender=model, dispatch_uid=f"forget-{model}")
            post_delete.connect(forget_resolutions, sender=model, dispatch_uid=f"forget-{model}-")
