from django.apps import AppConfig


class DemoConfig(AppConfig):
    """Demo data for trying the system on the embedded default (``manage.py load_demo_data``)."""

    default_auto_field = "django.db.models.BigAutoField"
    name = "sscard.demo"
    verbose_name = "演示数据"
