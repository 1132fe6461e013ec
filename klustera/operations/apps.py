from django.apps import AppConfig


class OperationsConfig(AppConfig):
    name = "klustera.operations"
    label = "operations"

    def ready(self) -> None:
        from klustera.notifications.catalogue import register
        from klustera.operations import tasks  # noqa: F401  (registers the clock)
        from klustera.operations.messages import MESSAGES

        register(*MESSAGES)
