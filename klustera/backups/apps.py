from django.apps import AppConfig


class BackupsConfig(AppConfig):
    """Encrypted backups of every complex's database and the platform's, and their restore."""

    name = "klustera.backups"
    label = "backups"

    def ready(self) -> None:
        from klustera.backups import tasks  # noqa: F401  (registers the schedule)
