from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "klustera.tenancy"
    label = "tenancy"

    def ready(self) -> None:
        from klustera.tenancy.connections import remember_connections_made

        remember_connections_made()
