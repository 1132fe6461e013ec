from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "klustera.billing"
    label = "billing"

    def ready(self) -> None:
        from klustera.billing import tasks  # noqa: F401  (registers the daily job)
        from klustera.billing.messages import MESSAGES
        from klustera.billing.personal_data import NOT_PERSONAL, PERSONAL_DATA, unpaid_note
        from klustera.notifications.catalogue import register
        from klustera.privacy.declaration import declare, register_kept_note, set_aside

        register(*MESSAGES)

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
        register_kept_note(unpaid_note)
