from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "klustera.accounts"
    label = "accounts"
