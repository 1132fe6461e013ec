from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "klustera.facilities"
    label = "facilities"

    def ready(self) -> None:
        from klustera.billing.signals import invoices_paid, payment_recorded
        from klustera.facilities import tasks  # noqa: F401  (registers the clock)
        from klustera.facilities.messages import MESSAGES
        from klustera.facilities.personal_data import NOT_PERSONAL, PERSONAL_DATA
        from klustera.facilities.services import on_invoices_paid, on_payment_recorded
        from klustera.notifications.catalogue import register
        from klustera.privacy.declaration import declare, set_aside

        register(*MESSAGES)
        invoices_paid.connect(on_invoices_paid, dispatch_uid="facilities-invoices-paid")
        payment_recorded.connect(on_payment_recorded, dispatch_uid="facilities-payment-recorded")

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
