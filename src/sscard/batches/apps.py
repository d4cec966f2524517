from django.apps import AppConfig


class BatchesConfig(AppConfig):
    name = "sscard.batches"
    label = "batches"
    verbose_name = "单位批量业务"
