from django.apps import AppConfig


class FeesConfig(AppConfig):
    name = "sscard.fees"
    label = "fees"
    verbose_name = "收费"
