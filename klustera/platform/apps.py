from django.apps import AppConfig


class PlatformConfig(AppConfig):
    """The operator console: complexes, plans, usage and MRR across every complex."""

    name = "klustera.platform"
    label = "platform"

    def ready(self) -> None:
        from klustera.platform import tasks  # noqa: F401  (registers the business figures)
