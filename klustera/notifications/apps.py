from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "klustera.notifications"
    label = "notifications"

    def ready(self) -> None:
        from klustera.notifications import tasks  # noqa: F401  (registers tasks)
        from klustera.notifications.catalogue import register
        from klustera.notifications.messages import MESSAGES

        register(*MESSAGES)
