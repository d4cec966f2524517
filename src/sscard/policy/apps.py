from django.apps import AppConfig


class PolicyConfig(AppConfig):
    name = "sscard.policy"
    label = "policy"
    verbose_name = "办事指南"
