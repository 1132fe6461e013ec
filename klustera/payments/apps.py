from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "klustera.payments"
    label = "payments"

    def ready(self) -> None:
        from klustera.notifications.catalogue import register
        from klustera.payments import tasks  # noqa: F401  (registers the reconciliation job)
        from klustera.payments.messages import MESSAGES
        from klustera.payments.personal_data import NOT_PERSONAL, PERSONAL_DATA
        from klustera.privacy.declaration import declare, set_aside

        register(*MESSAGES)

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
