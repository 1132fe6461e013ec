from django.apps import AppConfig


class PrivacyConfig(AppConfig):
    name = "klustera.privacy"
    label = "privacy"

    def ready(self) -> None:
        from klustera.notifications.catalogue import register, register_hold
        from klustera.notifications.signals import consent_changed
        from klustera.privacy import handlers, tasks  # noqa: F401  (registers the jobs)
        from klustera.privacy.declaration import declare, set_aside
        from klustera.privacy.messages import MESSAGES
        from klustera.privacy.personal_data import NOT_PERSONAL, PERSONAL_DATA

        register(*MESSAGES)
        register_hold(handlers.held_by_choice)
        consent_changed.connect(handlers.record_channel_consent, dispatch_uid="privacy.channel")
        declare(*PERSONAL_DATA)
        set_aside(NOT_PERSONAL)
