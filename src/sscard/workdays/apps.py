from django.apps import AppConfig


class WorkdaysConfig(AppConfig):
    name = "sscard.workdays"
    label = "workdays"
    verbose_name = "工作日日历"

    def ready(self):
        from sscard.workdays import signals  # noqa: F401
