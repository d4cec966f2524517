from sscard.cards.tests.fixtures import card, hotline_api, pin_world  # noqa: F401
