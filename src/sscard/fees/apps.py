from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "sscard.fees"
    label = "fees"
