from django.apps import AppConfig


class HardwareConfig(AppConfig):
    name = "sscard.hardware"
    label = "hardware"
    verbose_name = "硬件设备"
