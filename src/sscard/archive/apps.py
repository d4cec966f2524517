from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "sscard.archive"
    label = "archive"
    verbose_name = "档案影像"
