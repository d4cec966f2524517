from django.apps import AppConfig


class OpsConfig(AppConfig):
    name = "sscard.ops"
    label = "ops"
    verbose_name = "运维"
