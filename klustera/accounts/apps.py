from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "klustera.accounts"
    label = "accounts"

    def ready(self) -> None:
        import klustera.openapi  # noqa: F401  (registers the bearer scheme with drf-spectacular)
        from klustera.accounts import handlers
        from klustera.accounts.messages import MESSAGES
        from klustera.accounts.personal_data import NOT_PERSONAL, PERSONAL_DATA
        from klustera.notifications.catalogue import register
        from klustera.privacy.declaration import declare, set_aside
        from klustera.tenancy.signals import tenant_provisioned

        register(*MESSAGES)
        tenant_provisioned.connect(
            handlers.create_first_manager, dispatch_uid="accounts.first_manager"
        )

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
