"""Simulated counter hardware for the demo and the tests: in-process, thread-safe, no real devices.

The "physical world" is driven by class methods: ``SimulatedIdReader.place/remove``,
``SimulatedCardTerminal.insert/eject``, ``SimulatedPinPad.type``, ``simulated_faults.fail/clear`` and
``SimulatedIssuancePrinter.slow_down`` (a printer that takes its time, like a real one).
Services only use the protocol methods through ``sscard.hardware.drivers``.

Every protocol method first refuses to run once the calling transaction has written its audit events
(``sscard.audit.services.audit_refuse_after_write``): device I/O must come before a business's first
audit write or after its commit, so a business that regresses fails its tests here.

Chips live in the ``SimulatedChip`` table; a PIN is kept there only as a salted, peppered argon2id hash.
``personalise`` sets an initial PIN that nobody learns (a random secret), so a new card's holder must set a
PIN with ``reset_pin`` (after identity checks) before any PIN check can succeed.
``SimulatedCardTerminal.provision`` is a test/demo helper that writes a chip with a known PIN.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from collections import deque
from dataclasses import dataclass, field

from django.db import transaction

from sscard.audit.services import audit_refuse_after_write
from sscard.core import clock
from sscard.hardware import pin_hashing, rules
from sscard.hardware.drivers import get_card_terminal
from sscard.hardware.interfaces import (
    CARD_TERMINAL,
    DEVICES,
    ID_READER,
    ISSUANCE_PRINTER,
    PIN_MALFORMED,
    PIN_NOT_ENTERED,
    CardChipData,
    CardMismatch,
    CardUnreadable,
    DeviceUnavailable,
    IdCardData,
    NoCardPresent,
    PinEntryError,
    PrintResult,
)
from sscard.hardware.models import SimulatedChip

_STATION_RE = re.compile(r"(outlet|kiosk):\S+")


def check_station(station: object) -> str:
    """A station is ``"outlet:<code>"`` or ``"kiosk:<code>"``; anything else is a programming error."""
    if not isinstance(station, str) or not _STATION_RE.fullmatch(station):
        raise ValueError(f"not a station name: {station!r} (expected 'outlet:<code>' or 'kiosk:<code>')")
    return station


# --------------------------------------------------------------------------- fault switch


class SimulatedFaults:
    """Switchable device failures.  ``fail(device)`` breaks the device at every station;
    ``fail(device, station)`` at one station.  While set, the device raises ``DeviceUnavailable``."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._faults: set[tuple[str, str | None]] = set()

    @staticmethod
    def _check_device(device: str) -> None:
        if device not in DEVICES:
            raise ValueError(f"unknown device {device!r}; one of {DEVICES}")

    def fail(self, device: str, station: str | None = None) -> None:
        self._check_device(device)
        if station is not None:
            check_station(station)
        with self._lock:
            self._faults.add((device, station))

    def clear(self, device: str, station: str | None = None) -> None:
        """``clear(device)`` removes every fault of the device; ``clear(device, station)`` only the one
        set for that station (a device-wide fault stays)."""
        self._check_device(device)
        with self._lock:
            if station is None:
                self._faults = {f for f in self._faults if f[0] != device}
            else:
                self._faults.discard((device, station))

    def clear_all(self) -> None:
        with self._lock:
            self._faults.clear()

    def is_failing(self, device: str, station: str | None = None) -> bool:
        with self._lock:
            return (device, None) in self._faults or (station is not None and (device, station) in self._faults)

    def check(self, device: str, station: str | None = None) -> None:
        if self.is_failing(device, station):
            raise DeviceUnavailable(device)


simulated_faults = SimulatedFaults()


# --------------------------------------------------------------------------- PIN pad


class SimulatedPinPad:
    """One queue of typed PIN entries per station; the terminal takes them first-in, first-out."""

    _lock = threading.Lock()
    _queues: dict[str, deque[str]] = {}

    @classmethod
    def type(cls, station: str, *pins: str) -> None:
        """Queue entries as if a person typed them (each entry is one PIN, confirmed with the OK key)."""
        check_station(station)
        if not all(isinstance(p, str) for p in pins):
            raise TypeError("PIN pad entries must be strings")
        with cls._lock:
            cls._queues.setdefault(station, deque()).extend(pins)

    @classmethod
    def take(cls, station: str, count: int) -> list[str]:
        """Take ``count`` entries at once.  Too few typed: the waiting entries are dropped (the prompt
        timed out) and ``PinEntryError(PIN_NOT_ENTERED)`` is raised."""
        with cls._lock:
            queue = cls._queues.setdefault(station, deque())
            taken = [queue.popleft() for _ in range(min(count, len(queue)))]
        if len(taken) < count:
            raise PinEntryError(PIN_NOT_ENTERED)
        return taken

    @classmethod
    def pending(cls, station: str) -> int:
        with cls._lock:
            return len(cls._queues.get(station, ()))

    @classmethod
    def clear(cls, station: str | None = None) -> None:
        with cls._lock:
            if station is None:
                cls._queues.clear()
            else:
                cls._queues.pop(station, None)


# --------------------------------------------------------------------------- ID reader


class SimulatedIdReader:
    """Returns the ID card a test or the demo ``place``-d on the station's reader."""

    _lock = threading.Lock()
    _cards: dict[str, IdCardData] = {}

    @classmethod
    def place(cls, station: str, card: IdCardData) -> None:
        check_station(station)
        with cls._lock:
            cls._cards[station] = card

    @classmethod
    def remove(cls, station: str) -> None:
        with cls._lock:
            cls._cards.pop(station, None)

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls._cards.clear()

    def read(self, station: str) -> IdCardData:
        check_station(station)
        audit_refuse_after_write(ID_READER)
        simulated_faults.check(ID_READER, station)
        with self._lock:
            card = self._cards.get(station)
        if card is None:
            raise NoCardPresent(ID_READER)
        return card


# --------------------------------------------------------------------------- card terminal


def _chip_write(card_no: str, **values) -> None:
    """Create or update the chip of ``card_no`` with ``values`` in one statement (an upsert)."""
    values["updated_at"] = clock.now()
    SimulatedChip.objects.bulk_create([SimulatedChip(card_no=card_no, **values)], update_conflicts=True,
                                      unique_fields=["card_no"], update_fields=list(values))


class SimulatedCardTerminal:
    """Card reader + PIN pad.  Every PIN operation needs the named card inserted at the station
    (else ``NoCardPresent`` / ``CardMismatch``) and reads its entries from ``SimulatedPinPad``."""

    _lock = threading.Lock()
    _slots: dict[str, str] = {}

    # ---- physical world
    @classmethod
    def insert(cls, station: str, card_no: str) -> None:
        check_station(station)
        with cls._lock:
            cls._slots[station] = card_no

    @classmethod
    def eject(cls, station: str) -> None:
        with cls._lock:
            cls._slots.pop(station, None)

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls._slots.clear()

    @classmethod
    def provision(cls, card_no: str, *, pin: str, identification_code: str | None = None) -> str:
        """Test/demo helper: write a chip holding ``pin`` (six digits; strength not checked, as on old
        cards).  Returns the chip's identification code (a random one unless given)."""
        if not rules.is_well_formed(pin):
            raise PinEntryError(PIN_MALFORMED)
        code = identification_code or secrets.token_hex(16).upper()
        SimulatedChip.objects.update_or_create(
            card_no=card_no,
            defaults={"identification_code": code, "pin_hash": pin_hashing.hash_pin(pin),
                      "updated_at": clock.now()},
        )
        return code

    # ---- helpers
    def _inserted(self, station: str) -> str:
        check_station(station)
        audit_refuse_after_write(CARD_TERMINAL)
        simulated_faults.check(CARD_TERMINAL, station)
        with self._lock:
            card_no = self._slots.get(station)
        if card_no is None:
            raise NoCardPresent(CARD_TERMINAL)
        return card_no

    def _require_card(self, station: str, card_no: str) -> SimulatedChip:
        if self._inserted(station) != card_no:
            raise CardMismatch()
        chip = SimulatedChip.objects.filter(card_no=card_no).first()
        if chip is None:
            raise CardUnreadable()
        return chip

    @staticmethod
    def _set_pin(chip: SimulatedChip, pin: str) -> None:
        chip.pin_hash = pin_hashing.hash_pin(pin)
        chip.updated_at = clock.now()
        chip.save(update_fields=["pin_hash", "updated_at"])

    # ---- CardTerminal protocol
    def read_card(self, station: str) -> CardChipData:
        card_no = self._inserted(station)
        chip = SimulatedChip.objects.filter(card_no=card_no).first()
        if chip is None:
            raise CardUnreadable()
        return CardChipData(card_no=chip.card_no, identification_code=chip.identification_code)

    def verify_pin(self, station: str, card_no: str) -> bool:
        chip = self._require_card(station, card_no)
        (pin,) = SimulatedPinPad.take(station, 1)
        ok = rules.is_well_formed(pin) and pin_hashing.check_pin(chip.pin_hash, pin)
        if ok and pin_hashing.needs_rehash(chip.pin_hash):
            with transaction.atomic():
                locked = SimulatedChip.objects.select_for_update().get(pk=chip.pk)
                self._set_pin(locked, pin)
        return ok

    def change_pin(self, station: str, card_no: str) -> bool:
        chip = self._require_card(station, card_no)
        old, new, confirm = SimulatedPinPad.take(station, 3)
        with transaction.atomic():
            locked = SimulatedChip.objects.select_for_update().get(pk=chip.pk)
            if not (rules.is_well_formed(old) and pin_hashing.check_pin(locked.pin_hash, old)):
                return False
            problem = rules.new_pin_problem(new, confirm)
            if problem:
                raise PinEntryError(problem)
            self._set_pin(locked, new)
        return True

    def reset_pin(self, station: str, card_no: str) -> None:
        chip = self._require_card(station, card_no)
        new, confirm = SimulatedPinPad.take(station, 2)
        problem = rules.new_pin_problem(new, confirm)
        if problem:
            raise PinEntryError(problem)
        with transaction.atomic():
            self._set_pin(SimulatedChip.objects.select_for_update().get(pk=chip.pk), new)

    def personalise(self, card_no: str) -> None:
        """Write the chip's initial PIN: a secret nobody learns (``pin_hashing.unusable_pin_hash``), so no
        PIN verifies until the holder sets one (``reset_pin``)."""
        audit_refuse_after_write(CARD_TERMINAL)
        simulated_faults.check(CARD_TERMINAL)
        _chip_write(card_no, pin_hash=pin_hashing.unusable_pin_hash())


# --------------------------------------------------------------------------- issuance printer


@dataclass(frozen=True)
class PrintJob:
    """What the simulated printer last printed at a station (kept in memory for tests and the demo)."""

    station: str
    card_no: str
    identification_code: str
    holder_name: str = field(repr=False)
    has_photo: bool


class SimulatedIssuancePrinter:
    """Prints instantly (unless slowed down): writes the chip (random 32-char identification code) and
    personalises it."""

    _lock = threading.Lock()
    _jobs: dict[str, PrintJob] = {}
    _printed: deque[PrintJob] = deque(maxlen=1000)
    _delays: dict[str | None, float] = {}

    @classmethod
    def last_job(cls, station: str) -> PrintJob | None:
        with cls._lock:
            return cls._jobs.get(station)

    @classmethod
    def jobs(cls, station: str) -> list[PrintJob]:
        """Every card printed at ``station`` since the last ``clear`` (the latest 1,000 of all stations)."""
        with cls._lock:
            return [job for job in cls._printed if job.station == station]

    @classmethod
    def slow_down(cls, seconds: float, station: str | None = None) -> None:
        """Each print takes ``seconds`` (at ``station``, or at every station): a real printer's pace."""
        if station is not None:
            check_station(station)
        with cls._lock:
            cls._delays[station] = float(seconds)

    @classmethod
    def clear(cls) -> None:
        with cls._lock:
            cls._jobs.clear()
            cls._printed.clear()
            cls._delays.clear()

    def print_card(self, station: str, *, card_no: str, holder_name: str,
                   photo_jpeg: bytes | None) -> PrintResult:
        check_station(station)
        if not card_no:
            raise ValueError("card_no is required")
        audit_refuse_after_write(ISSUANCE_PRINTER)
        simulated_faults.check(ISSUANCE_PRINTER, station)
        with self._lock:
            delay = self._delays.get(station, self._delays.get(None, 0.0))
        if delay:
            time.sleep(delay)

        code = secrets.token_hex(16).upper()
        # Personalised first: a terminal that fails leaves no chip written, with no savepoint needed.
        get_card_terminal().personalise(card_no)
        _chip_write(card_no, identification_code=code)
        job = PrintJob(station=station, card_no=card_no, identification_code=code, holder_name=holder_name,
                       has_photo=bool(photo_jpeg))
        with self._lock:
            self._jobs[station] = job
            self._printed.append(job)
        return PrintResult(identification_code=code)


def reset_simulators() -> None:
    """Empty every pad, reader, slot, printer log and fault (not the chip table).  For test fixtures."""
    SimulatedPinPad.clear()
    SimulatedIdReader.clear()
    SimulatedCardTerminal.clear()
    SimulatedIssuancePrinter.clear()
    simulated_faults.clear_all()
