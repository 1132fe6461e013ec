from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "klustera.community"
    label = "community"

    def ready(self) -> None:
        from klustera.community import tasks  # noqa: F401  (registers the sending job)
        from klustera.community.messages import MESSAGES
        from klustera.notifications.catalogue import register

        register(*MESSAGES)
