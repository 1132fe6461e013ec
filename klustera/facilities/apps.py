from django.apps import AppConfig


class FacilitiesConfig(AppConfig):
    name = "klustera.facilities"
    label = "facilities"
