from django.apps import AppConfig


class EstateConfig(AppConfig):
    name = "klustera.estate"
    label = "estate"

    def ready(self) -> None:
        from klustera.estate.messages import MESSAGES
        from klustera.estate.personal_data import NOT_PERSONAL, PERSONAL_DATA
        from klustera.notifications.catalogue import register
        from klustera.privacy.declaration import declare, set_aside

        register(*MESSAGES)

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
