from django.apps import AppConfig


class BillingConfig(AppConfig):
    name = "klustera.billing"
    label = "billing"
