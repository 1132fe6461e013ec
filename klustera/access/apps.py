from django.apps import AppConfig


class AccessConfig(AppConfig):
    name = "klustera.access"
    label = "access"
