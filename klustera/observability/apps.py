from django.apps import AppConfig


class ObservabilityConfig(AppConfig):
    name = "klustera.observability"
    label = "observability"

    def ready(self) -> None:
        from django.core.signals import got_request_exception
        from django_structlog import signals

        from klustera.observability import errors, failures, handlers, metrics, tasks  # noqa: F401

        signals.bind_extra_request_metadata.connect(
            handlers.request_started, dispatch_uid="observability.request_started"
        )
        signals.bind_extra_request_finished_metadata.connect(
            handlers.request_finished, dispatch_uid="observability.request_finished"
        )
        metrics.watch_queues()
        failures.watch_failures()
        got_request_exception.connect(
            errors.report_server_error, dispatch_uid="observability.report_server_error"
        )
