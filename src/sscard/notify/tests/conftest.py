"""Fixtures of the notification tests: a fresh gateway cache and call counter for each test."""

import pytest

from sscard.notify.gateways import reset_gateways
from sscard.notify.tests import gateways


@pytest.fixture(autouse=True)
def _fresh_gateways():
    reset_gateways()
    gateways.reset()
    yield
    reset_gateways()
    gateways.reset()


@pytest.fixture
def counting(settings):
    settings.SSCARD_SMS_GATEWAY = "sscard.notify.tests.gateways.CountingGateway"
    return gateways.calls
