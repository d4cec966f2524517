"""The one clock every rule reads, so 24-hour, 96-hour and working-day rules can be tested.

Code calls ``clock.now()``; tests call ``clock.freeze(dt)`` / ``clock.advance(...)`` / ``clock.reset()``
(or use the ``frozen_clock`` fixture).  Never call ``datetime.now()`` or ``timezone.now()`` in rules.
"""

import datetime as dt
import threading

from django.utils import timezone

_lock = threading.Lock()
_frozen: dt.datetime | None = None


def now() -> dt.datetime:
    frozen = _frozen
    return frozen if frozen is not None else timezone.now()


def today() -> dt.date:
    """The local (Asia/Shanghai) calendar date of ``now()``."""
    return timezone.localtime(now()).date()


def age_on(birth_date: dt.date, on: dt.date) -> int:
    """Full years of age on ``on``.

    Someone born on 29 February gets a year older on 1 March in non-leap years (the birthday has not
    yet been reached on 28 February).
    """
    if on < birth_date:
        raise ValueError("age_on: the date is before the birth date")
    return on.year - birth_date.year - ((on.month, on.day) < (birth_date.month, birth_date.day))


def freeze(at: dt.datetime) -> None:
    if timezone.is_naive(at):
        raise ValueError("clock.freeze needs an aware datetime")
    global _frozen
    with _lock:
        _frozen = at


def advance(delta: dt.timedelta) -> None:
    global _frozen
    with _lock:
        if _frozen is None:
            raise RuntimeError("clock.advance needs a frozen clock")
        _frozen = _frozen + delta


def reset() -> None:
    global _frozen
    with _lock:
        _frozen = None
