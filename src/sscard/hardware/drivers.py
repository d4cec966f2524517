"""Where services get their hardware: the classes named in ``settings.SSCARD_HARDWARE``, built once.

``SSCARD_HARDWARE`` maps ``id_reader`` / ``card_terminal`` / ``issuance_printer`` to a dotted path of a
class (instantiated with no arguments) or of a ready object.  Instances are cached per dotted path, so
overriding the setting in a test picks up the new driver; ``reset_drivers()`` forgets them all.
"""

import threading
from typing import Any

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.module_loading import import_string

from sscard.hardware.interfaces import (
    CARD_TERMINAL,
    ID_READER,
    ISSUANCE_PRINTER,
    CardTerminal,
    IdReader,
    IssuancePrinter,
)

_lock = threading.Lock()
_cache: dict[str, Any] = {}


def _resolve(kind: str, protocol: type) -> Any:
    try:
        path = settings.SSCARD_HARDWARE[kind]
    except (AttributeError, KeyError) as exc:
        raise ImproperlyConfigured(f"settings.SSCARD_HARDWARE[{kind!r}] is not set") from exc
    with _lock:
        driver = _cache.get(path)
        if driver is None:
            target = import_string(path)
            driver = target() if isinstance(target, type) else target
            if not isinstance(driver, protocol):
                raise ImproperlyConfigured(f"{path} does not implement {protocol.__name__}")
            _cache[path] = driver
        return driver


def get_id_reader() -> IdReader:
    return _resolve(ID_READER, IdReader)


def get_card_terminal() -> CardTerminal:
    return _resolve(CARD_TERMINAL, CardTerminal)


def get_issuance_printer() -> IssuancePrinter:
    return _resolve(ISSUANCE_PRINTER, IssuancePrinter)


def reset_drivers() -> None:
    """Forget every built driver (tests that swap drivers call this)."""
    with _lock:
        _cache.clear()


def is_simulated(kind: str) -> bool:
    """Whether the configured driver of ``kind`` is one of the simulated ones (demo and tests)."""
    return ".simulated." in settings.SSCARD_HARDWARE.get(kind, "")
