from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "klustera.payments"
    label = "payments"

    def ready(self) -> None:
        from klustera.notifications.catalogue import register
        from klustera.payments import tasks  # noqa: F401  (registers the reconciliation job)
        from klustera.payments.messages import MESSAGES

        register(*MESSAGES)
