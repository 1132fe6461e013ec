from django.apps import AppConfig


class EstateConfig(AppConfig):
    name = "klustera.estate"
    label = "estate"

    def ready(self) -> None:
        from klustera.estate.messages import MESSAGES
        from klustera.notifications.catalogue import register

        register(*MESSAGES)
