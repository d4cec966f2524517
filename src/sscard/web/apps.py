from django.apps import AppConfig


class WebConfig(AppConfig):
    name = "sscard.web"
    label = "web"
    verbose_name = "业务页面"
