from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "klustera.demo"
    label = "demo"
