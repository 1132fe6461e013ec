from django.apps import AppConfig


class TenancyConfig(AppConfig):
    name = "klustera.tenancy"
    label = "tenancy"
