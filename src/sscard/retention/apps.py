from django.apps import AppConfig


class RetentionConfig(AppConfig):
    name = "sscard.retention"
    label = "retention"
    verbose_name = "数据保存期限与清理"

    def ready(self):
        from sscard.retention import checks  # noqa: F401  (Django's app loading: registers the settings check)
