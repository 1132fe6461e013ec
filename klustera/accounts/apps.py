from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "klustera.accounts"
    label = "accounts"

    def ready(self) -> None:
        import klustera.openapi  # noqa: F401  (registers the bearer scheme with drf-spectacular)
