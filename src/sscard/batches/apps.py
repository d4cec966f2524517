from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "sscard.batches"
    label = "batches"
