from django.apps import AppConfig


class CardsConfig(AppConfig):
    name = "sscard.cards"
    label = "cards"
