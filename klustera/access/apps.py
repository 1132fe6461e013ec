from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "klustera.access"
    label = "access"

    def ready(self) -> None:
        from klustera.access import handlers
        from klustera.access.messages import MESSAGES
        from klustera.accounts.signals import account_switched_off
        from klustera.estate.signals import stay_ended
        from klustera.notifications.catalogue import register

        register(*MESSAGES)
        stay_ended.connect(handlers.on_stay_ended, dispatch_uid="access.stay_ended")
        account_switched_off.connect(
            handlers.on_account_switched_off, dispatch_uid="access.account_switched_off"
        )
