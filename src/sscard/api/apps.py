from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "sscard.api"
    label = "api"
    verbose_name = "接口"
