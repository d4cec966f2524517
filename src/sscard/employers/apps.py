from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "sscard.employers"
    label = "employers"
    verbose_name = "用人单位"
