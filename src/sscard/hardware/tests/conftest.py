import pytest

from sscard.hardware.drivers import reset_drivers
from sscard.hardware.simulated import reset_simulators

FAST_HASH = {"time_cost": 1, "memory_cost": 8, "parallelism": 1}


@pytest.fixture(autouse=True)
def _clean_hardware(settings):
    settings.SSCARD_PIN_HASH_PARAMS = FAST_HASH
    reset_simulators()
    reset_drivers()
    yield
    reset_simulators()
    reset_drivers()
