from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "sscard.core"
    label = "core"
    verbose_name = "基础设施"

    def ready(self):
        from sscard.core import checks  # noqa: F401 - registers the system checks (Django's app loading)
