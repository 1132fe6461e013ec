from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "klustera.observability"
    label = "observability"

    def ready(self) -> None:
        from klustera.observability import tasks  # noqa: F401  (registers the heartbeat)
