"""``core.clock.age_on``: full years of age on a date (the adult rule reads it)."""

from datetime import date

import pytest

from sscard.core.clock import age_on


@pytest.mark.parametrize(("born", "on", "age"), [
    (date(2007, 6, 1), date(2025, 6, 1), 18),
    (date(2007, 6, 2), date(2025, 6, 1), 17),
    (date(2000, 2, 29), date(2018, 2, 28), 17),  # leap-day birthday not reached on 28 Feb
    (date(2000, 2, 29), date(2018, 3, 1), 18),
    (date(2000, 2, 29), date(2020, 2, 29), 20),
    (date(2000, 2, 29), date(2000, 2, 29), 0),
    (date(1949, 12, 31), date(2025, 6, 1), 75),
])
def test_age_on(born, on, age):
    assert age_on(born, on) == age


def test_age_on_before_birth_is_an_error():
    with pytest.raises(ValueError):
        age_on(date(2020, 1, 2), date(2020, 1, 1))
