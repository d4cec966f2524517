"""PIN format and strength rules (pure functions).

A PIN is exactly six ASCII digits.  A new PIN may not be all the same digit (000000, 777777) nor a
straight run up or down (012345, 123456, ..., 456789 and 987654, ..., 543210).
"""

import re

from sscard.hardware.interfaces import PIN_MALFORMED, PIN_MISMATCH, PIN_WEAK

PIN_LENGTH = 6
_PIN_RE = re.compile(r"[0-9]{6}")


def is_well_formed(pin: object) -> bool:
    return isinstance(pin, str) and _PIN_RE.fullmatch(pin) is not None


def is_weak(pin: str) -> bool:
    """All-same digits or a straight ascending/descending sequence."""
    digits = [int(c) for c in pin]
    steps = {b - a for a, b in zip(digits, digits[1:])}
    return steps in ({0}, {1}, {-1})


def new_pin_problem(first: object, second: object) -> str | None:
    """Why a new PIN typed twice is refused, as a PinEntryError code; None when it is acceptable."""
    if not is_well_formed(first):
        return PIN_MALFORMED
    if first != second:
        return PIN_MISMATCH
    if is_weak(first):  # type: ignore[arg-type]
        return PIN_WEAK
    return None
