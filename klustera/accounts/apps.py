from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_save


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
        from klustera.accounts.models import ApiToken, User

        post_save.connect(handlers.forget_changed_user, sender=User, dispatch_uid="accounts.user")
        post_delete.connect(
            handlers.forget_deleted_token, sender=ApiToken, dispatch_uid="accounts.token"
        )
        m2m_changed.connect(
            handlers.forget_changed_roles,
            sender=User.groups.through,
            dispatch_uid="accounts.roles",
        )
        tenant_provisioned.connect(
            handlers.create_first_manager, dispatch_uid="accounts.first_manager"
        )

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
