from django.apps import AppConfig


class HardwareConfig(AppConfig):
    name = "sscard.hardware"
    label = "hardware"
