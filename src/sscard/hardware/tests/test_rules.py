import pytest

from sscard.hardware import rules


@pytest.mark.parametrize("pin", ["000000", "777777", "012345", "123456", "456789", "987654", "654321", "543210"])
def test_weak_pins(pin):
    assert rules.is_weak(pin)
    assert rules.new_pin_problem(pin, pin) == "PIN_WEAK"


@pytest.mark.parametrize("pin", ["135790", "112233", "123457", "890123", "246802", "000001"])
def test_acceptable_pins(pin):
    assert not rules.is_weak(pin)
    assert rules.new_pin_problem(pin, pin) is None


@pytest.mark.parametrize("pin", ["12345", "1234567", "12a456", "", "１３５７９０", " 135790", None, 135790])
def test_malformed_pins(pin):
    assert not rules.is_well_formed(pin)
    assert rules.new_pin_problem(pin, pin) == "PIN_MALFORMED"


def test_mismatch_is_reported_before_strength():
    assert rules.new_pin_problem("135790", "135791") == "PIN_MISMATCH"
    assert rules.new_pin_problem("123456", "135790") == "PIN_MISMATCH"
