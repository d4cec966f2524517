from django.apps import AppConfig


class EmployersConfig(AppConfig):
    name = "sscard.employers"
    label = "employers"
