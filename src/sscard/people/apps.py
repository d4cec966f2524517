from django.apps import AppConfig


class PeopleConfig(AppConfig):
    name = "sscard.people"
    label = "people"
