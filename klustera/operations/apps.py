from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "klustera.operations"
    label = "operations"

    def ready(self) -> None:
        from klustera.notifications.catalogue import register
        from klustera.operations import tasks  # noqa: F401  (registers the clock)
        from klustera.operations.messages import MESSAGES
        from klustera.operations.personal_data import NOT_PERSONAL, PERSONAL_DATA
        from klustera.privacy.declaration import declare, set_aside

        register(*MESSAGES)

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
