from django.apps import AppConfig


class EstateConfig(AppConfig):
    name = "klustera.estate"
    label = "estate"
