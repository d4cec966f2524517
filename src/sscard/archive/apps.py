from django.apps import AppConfig


class ArchiveConfig(AppConfig):
    name = "sscard.archive"
    label = "archive"
