from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "sscard.workdays"
    label = "workdays"
