from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "klustera.helpdesk"
    label = "helpdesk"

    def ready(self) -> None:
        from klustera.helpdesk import tasks  # noqa: F401  (registers the deadline watch)
        from klustera.helpdesk.messages import MESSAGES
        from klustera.helpdesk.personal_data import NOT_PERSONAL, PERSONAL_DATA
        from klustera.notifications.catalogue import register
        from klustera.privacy.declaration import declare, set_aside

        register(*MESSAGES)

        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
