from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sscard.core"
    label = "core"
