from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "klustera.community"
    label = "community"

    def ready(self) -> None:
        from klustera.community import tasks  # noqa: F401  (registers the sending job)
        from klustera.community.messages import MESSAGES
        from klustera.community.personal_data import NOT_PERSONAL, PERSONAL_DATA
        from klustera.notifications.catalogue import register
        from klustera.privacy.declaration import declare, set_aside

        register(*MESSAGES)

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
