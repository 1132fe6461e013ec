from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "klustera.accounts"
    label = "accounts"

    def ready(self) -> None:
        import klustera.openapi  # noqa: F401  (registers the bearer scheme with drf-spectacular)
        from klustera.accounts import handlers
        from klustera.tenancy.signals import tenant_provisioned

        tenant_provisioned.connect(
            handlers.create_first_manager, dispatch_uid="accounts.first_manager"
        )
