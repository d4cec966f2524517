from django.apps import AppConfig


class DeskConfig(AppConfig):
    name = "sscard.desk"
    label = "desk"
    verbose_name = "业务经办"
