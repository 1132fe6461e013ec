from django.apps import AppConfig


class HelpdeskConfig(AppConfig):
    name = "klustera.helpdesk"
    label = "helpdesk"
