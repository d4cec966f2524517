from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "sscard.workdays"
    label = "workdays"
    verbose_name = "工作日日历"

    def ready(self):
        # Signal receivers connect when the app is ready (Django's app loading), not at import.
        from sscard.workdays import signals  # noqa: F401
