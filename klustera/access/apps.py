from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "klustera.access"
    label = "access"

    def ready(self) -> None:
        from klustera.access import handlers
        from klustera.access.messages import MESSAGES
        from klustera.access.personal_data import NOT_PERSONAL, PERSONAL_DATA
        from klustera.accounts.signals import account_switched_off
        from klustera.estate.signals import stay_ended
        from klustera.notifications.catalogue import register
        from klustera.privacy.declaration import declare, set_aside

        register(*MESSAGES)
        stay_ended.connect(handlers.on_stay_ended, dispatch_uid="access.stay_ended")
        account_switched_off.connect(
            handlers.on_account_switched_off, dispatch_uid="access.account_switched_off"
        )

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
