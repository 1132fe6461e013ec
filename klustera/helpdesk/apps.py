from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "klustera.helpdesk"
    label = "helpdesk"

    def ready(self) -> None:
        from klustera.helpdesk import tasks  # noqa: F401  (registers the deadline watch)
        from klustera.helpdesk.messages import MESSAGES
        from klustera.notifications.catalogue import register

        register(*MESSAGES)
