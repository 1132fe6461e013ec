from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "klustera.billing"
    label = "billing"

    def ready(self) -> None:
        from klustera.billing import tasks  # noqa: F401  (registers the daily job)
        from klustera.billing.messages import MESSAGES
        from klustera.notifications.catalogue import register

        register(*MESSAGES)
