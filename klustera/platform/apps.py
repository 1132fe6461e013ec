from django.apps import AppConfig


class PlatformConfig(AppConfig):
    """The operator console: complexes, plans, usage and MRR across every complex."""

    name = "klustera.platform"
    label = "platform"
