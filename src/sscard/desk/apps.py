from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "sscard.desk"
    label = "desk"
