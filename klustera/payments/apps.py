from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    name = "klustera.payments"
    label = "payments"
