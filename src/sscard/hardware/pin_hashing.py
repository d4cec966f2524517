"""How a simulated chip keeps a PIN: argon2id over HMAC-SHA256(PIN_PEPPER, pin), never the PIN itself.

The pepper (``settings.PIN_PEPPER``) is kept out of the database, so a stolen table alone cannot be
brute-forced; argon2id adds a per-hash random salt and a slow, memory-hard cost.  Cost comes from
``settings.SSCARD_PIN_HASH_PARAMS`` (``time_cost``, ``memory_cost`` in KiB, ``parallelism``); missing
keys fall back to ``DEFAULT_PARAMS`` (argon2 RFC 9106 low-memory profile).  Test settings may set a fast
profile such as ``{"time_cost": 1, "memory_cost": 8, "parallelism": 1}``.
"""

import functools
import hashlib
import hmac
import secrets

from argon2 import PasswordHasher, Type
from argon2.exceptions import InvalidHashError, VerificationError
from django.conf import settings

DEFAULT_PARAMS = {"time_cost": 3, "memory_cost": 65536, "parallelism": 4}
# The cheapest argon2id cost (RFC 9106 minimums), for a hash of a 256-bit random secret: nothing to guess.
_MINIMUM_PARAMS = (1, 8, 1)


def _params() -> tuple[int, int, int]:
    given = getattr(settings, "SSCARD_PIN_HASH_PARAMS", None) or {}
    merged = {**DEFAULT_PARAMS, **given}
    return int(merged["time_cost"]), int(merged["memory_cost"]), int(merged["parallelism"])


@functools.lru_cache(maxsize=8)
def _hasher(time_cost: int, memory_cost: int, parallelism: int) -> PasswordHasher:
    return PasswordHasher(time_cost=time_cost, memory_cost=memory_cost, parallelism=parallelism,
                          hash_len=32, salt_len=16, type=Type.ID)


def _peppered(pin: str) -> str:
    key = settings.PIN_PEPPER.encode("utf-8")
    return hmac.new(key, pin.encode("utf-8"), hashlib.sha256).hexdigest()


def hash_pin(pin: str) -> str:
    """A fresh argon2id hash (new random salt each call) of the peppered PIN."""
    return _hasher(*_params()).hash(_peppered(pin))


def unusable_pin_hash() -> str:
    """A PIN hash no PIN matches: an argon2id hash of 32 random bytes (a new chip's initial PIN, which
    nobody learns).  A six-digit PIN is one of 10**6 guesses; this secret is one of 2**256, so the slow
    cost that protects a real PIN buys nothing here and the minimum is used (~20 µs instead of ~150 ms).
    ``needs_rehash`` is true for it, but a PIN is only rehashed after it verified, which none does."""
    return _hasher(*_MINIMUM_PARAMS).hash(secrets.token_hex(32))


def check_pin(stored_hash: str, pin: str) -> bool:
    """True when ``pin`` matches ``stored_hash`` under the current pepper.  Never raises on a mismatch."""
    if not stored_hash:
        return False
    try:
        return _hasher(*_params()).verify(stored_hash, _peppered(pin))
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(stored_hash: str) -> bool:
    """True when ``stored_hash`` was made with other cost parameters than the current ones."""
    try:
        return _hasher(*_params()).check_needs_rehash(stored_hash)
    except InvalidHashError:
        return True
