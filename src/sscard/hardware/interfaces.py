"""What the counter and kiosk hardware offers the services: three small protocols, their data and errors.

A *station* names where a device sits: an outlet window (``"outlet:CQ-YZ-01"``) or a kiosk
(``"kiosk:K-001"``).  Drivers are resolved from ``settings.SSCARD_HARDWARE`` by ``sscard.hardware.drivers``.

Rule held here: a PIN never passes through our API.  It lives on the card chip and is typed on the
terminal's PIN pad; services only learn "right" / "wrong" / "refused (code)".  Device errors carry a
stable ``reason`` code and a Chinese message and never carry a PIN or personal data.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from sscard.core import errors
from sscard.core.masking import mask_id_number, mask_name

ID_READER = "id_reader"
CARD_TERMINAL = "card_terminal"
ISSUANCE_PRINTER = "issuance_printer"
DEVICES = (ID_READER, CARD_TERMINAL, ISSUANCE_PRINTER)

_DEVICE_ZH = {ID_READER: "身份证读卡器", CARD_TERMINAL: "社保卡读卡及密码键盘", ISSUANCE_PRINTER: "即时制卡机"}

# PinEntryError codes and their messages.
PIN_NOT_ENTERED = "PIN_NOT_ENTERED"
PIN_MISMATCH = "PIN_MISMATCH"
PIN_WEAK = "PIN_WEAK"
PIN_MALFORMED = "PIN_MALFORMED"
PIN_MESSAGES_ZH = {
    PIN_NOT_ENTERED: "未在密码键盘上输入密码，请按提示输入",
    PIN_MISMATCH: "两次输入的新密码不一致，请重新输入",
    PIN_WEAK: "新密码过于简单（不能为相同数字或连续数字），请重新设置",
    PIN_MALFORMED: "密码须为6位数字",
}


# --------------------------------------------------------------------------- errors


class DeviceError(Exception):
    """A device could not do what was asked.  ``reason`` is a stable UPPER_SNAKE code."""

    default_message_zh = "设备操作失败"

    def __init__(self, device: str, reason: str, message_zh: str | None = None):
        self.device = device
        self.reason = reason
        self.message_zh = message_zh or self.default_message_zh
        super().__init__(f"{device}: {reason}")

    #: HTTP status the API should answer with when this reaches it.
    status = 422

    def as_domain_error(self) -> errors.DomainError:
        """The domain error a service should raise for this device error (``code`` = ``reason``)."""
        return errors.Refused(self.reason, self.message_zh, details={"device": self.device},
                              status=self.status)


class DeviceUnavailable(DeviceError):
    """The device or its link failed (power, cable, network, jam).  Retrying later may work."""

    status = 503

    def __init__(self, device: str, reason: str = "DEVICE_UNAVAILABLE", message_zh: str | None = None):
        super().__init__(device, reason, message_zh or f"{_DEVICE_ZH.get(device, '设备')}暂不可用，请稍后重试")


class NoCardPresent(DeviceError):
    """Nothing is on the ID reader / in the card terminal of that station."""

    def __init__(self, device: str, reason: str = "NO_CARD_PRESENT", message_zh: str | None = None):
        what = "身份证" if device == ID_READER else "社保卡"
        super().__init__(device, reason, message_zh or f"未检测到{what}，请放置或插入卡片")


class CardMismatch(DeviceError):
    """The card in the terminal is not the card the service asked about."""

    def __init__(self, device: str = CARD_TERMINAL, reason: str = "CARD_MISMATCH", message_zh: str | None = None):
        super().__init__(device, reason, message_zh or "读卡器中的社保卡与所办理的卡不一致")


class CardUnreadable(DeviceError):
    """The chip of the card in the terminal cannot be read (unknown or blank chip)."""

    def __init__(self, device: str = CARD_TERMINAL, reason: str = "CARD_UNREADABLE", message_zh: str | None = None):
        super().__init__(device, reason, message_zh or "社保卡芯片无法读取")


class PinEntryError(DeviceError):
    """The PIN entry on the pad was refused: nothing typed, confirmation differs, weak or malformed PIN.

    ``code`` is one of ``PIN_NOT_ENTERED``, ``PIN_MISMATCH``, ``PIN_WEAK``, ``PIN_MALFORMED``.
    The message never contains the PIN.
    """

    status = 400

    def __init__(self, code: str, device: str = CARD_TERMINAL):
        self.code = code
        super().__init__(device, code, PIN_MESSAGES_ZH.get(code, "密码输入有误"))

    def as_domain_error(self) -> errors.DomainError:
        return errors.InvalidInput(self.code, self.message_zh, details={"device": self.device})


# --------------------------------------------------------------------------- data


@dataclass(frozen=True, repr=False)
class IdCardData:
    """What the resident ID card chip gives.  ``valid_until`` is None for a long-term (长期) card."""

    name: str
    id_number: str
    gender: str
    ethnicity: str
    birth_date: dt.date
    address: str
    issuing_authority: str
    valid_until: dt.date | None
    photo_jpeg: bytes | None = None

    def __repr__(self) -> str:  # masked: these objects end up in logs and tracebacks
        return (f"IdCardData(name={mask_name(self.name)!r}, id_number={mask_id_number(self.id_number)!r}, "
                f"valid_until={self.valid_until!r}, photo={'yes' if self.photo_jpeg else 'no'})")


@dataclass(frozen=True)
class CardChipData:
    """What the social security card chip gives: the card number and the 32-char identification code."""

    card_no: str
    identification_code: str


@dataclass(frozen=True)
class PrintResult:
    """The outcome of printing and personalising one card."""

    identification_code: str


# --------------------------------------------------------------------------- protocols


@runtime_checkable
class IdReader(Protocol):
    def read(self, station: str) -> IdCardData:
        """Read the ID card lying on the reader.  Raises NoCardPresent / DeviceUnavailable."""


@runtime_checkable
class CardTerminal(Protocol):
    def read_card(self, station: str) -> CardChipData:
        """Read the chip of the inserted card.  Raises NoCardPresent / CardUnreadable / DeviceUnavailable."""

    def verify_pin(self, station: str, card_no: str) -> bool:
        """Take one PIN from the pad and check it against the chip.  False = wrong PIN."""

    def change_pin(self, station: str, card_no: str) -> bool:
        """Take the old PIN then the new PIN twice.  False = old PIN wrong (nothing changed).

        Raises PinEntryError(PIN_MISMATCH / PIN_WEAK / PIN_MALFORMED / PIN_NOT_ENTERED).
        """

    def reset_pin(self, station: str, card_no: str) -> None:
        """Take the new PIN twice (no old PIN) and set it.  Same PinEntryError codes as change_pin."""

    def personalise(self, card_no: str) -> None:
        """Give a newly made card a random initial PIN that nobody learns; the holder sets a PIN with
        ``reset_pin`` (after identity checks) before the PIN can be used."""


@runtime_checkable
class IssuancePrinter(Protocol):
    def print_card(self, station: str, *, card_no: str, holder_name: str,
                   photo_jpeg: bytes | None) -> PrintResult:
        """Print and personalise one card.  Raises DeviceUnavailable when the print failed."""
