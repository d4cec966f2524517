import pytest

from sscard.workdays.selectors import clear_calendar_cache


@pytest.fixture(autouse=True)
def _fresh_calendar_cache():
    # Test transactions roll back without signals, so start and end every test with an empty cache.
    clear_calendar_cache()
    yield
    clear_calendar_cache()
