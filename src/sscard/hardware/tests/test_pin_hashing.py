import hashlib
import hmac

import pytest

from sscard.hardware import pin_hashing


def test_hash_never_contains_the_pin_nor_its_plain_hmac(settings):
    pin = "135790"
    stored = pin_hashing.hash_pin(pin)
    assert stored.startswith("$argon2id$")
    assert pin not in stored
    bare = hmac.new(settings.PIN_PEPPER.encode(), pin.encode(), hashlib.sha256)
    assert bare.hexdigest() not in stored
    assert hashlib.sha256(pin.encode()).hexdigest() not in stored


def test_verifies_right_pin_only():
    stored = pin_hashing.hash_pin("135790")
    assert pin_hashing.check_pin(stored, "135790")
    assert not pin_hashing.check_pin(stored, "135791")
    assert not pin_hashing.check_pin("", "135790")
    assert not pin_hashing.check_pin("not-a-hash", "135790")


def test_pepper_is_required(settings):
    settings.PIN_PEPPER = "pepper-one"
    stored = pin_hashing.hash_pin("135790")
    settings.PIN_PEPPER = "pepper-two"
    assert not pin_hashing.check_pin(stored, "135790")
    settings.PIN_PEPPER = "pepper-one"
    assert pin_hashing.check_pin(stored, "135790")


def test_argon2id_without_pepper_does_not_verify():
    from argon2 import PasswordHasher
    from argon2.exceptions import VerifyMismatchError

    stored = pin_hashing.hash_pin("135790")
    with pytest.raises(VerifyMismatchError):
        PasswordHasher().verify(stored, "135790")


def test_fresh_salt_each_time():
    assert pin_hashing.hash_pin("135790") != pin_hashing.hash_pin("135790")


def test_cost_comes_from_settings_with_safe_defaults(settings):
    assert "m=8,t=1,p=1" in pin_hashing.hash_pin("135790")
    del settings.SSCARD_PIN_HASH_PARAMS
    stored = pin_hashing.hash_pin("135790")
    assert "m=65536,t=3,p=4" in stored
    settings.SSCARD_PIN_HASH_PARAMS = {"time_cost": 2}  # partial: the rest falls back to defaults
    assert "m=65536,t=2,p=4" in pin_hashing.hash_pin("135790")
    assert pin_hashing.needs_rehash(stored)
