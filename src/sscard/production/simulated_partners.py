"""A simulated service bank (开户) and card vendor (制卡) that answer our exchange files locally.

They read our out-files and write result files in the same format the real partners use, so the whole
production pipeline runs on a laptop and in tests.  Every answer is deterministic: whether a row fails
is decided by a seeded hash of (seed, order_no, item_no), account numbers and identification codes
are derived from the seed and the person's data.  Configured by ``settings.SSCARD_SIMULATED_PARTNERS``.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.conf import settings

from sscard.core import clock
from sscard.core.errors import InvalidInput
from sscard.people.idnumbers import parse_identity
from sscard.production import exchange_files as ef

logger = logging.getLogger(__name__)

BANK_REASONS: tuple[tuple[str, str], ...] = (
    ("B01", "证件信息核验未通过"),
    ("B02", "该人员已在本行开立社保卡账户"),
)
BANK_INCOMPLETE = ("B03", "开户资料不完整")
VENDOR_REASONS: tuple[tuple[str, str], ...] = (
    ("V01", "芯片写入失败"),
    ("V02", "照片数据无法识别"),
)
VENDOR_INCOMPLETE = ("V03", "制卡数据不完整")

ACCOUNT_PREFIX = "6214"
ACCOUNT_LENGTH = 19
PARTNER_NAMES = ("bank", "vendor")
_SETTING = "SSCARD_SIMULATED_PARTNERS"
_CONFIG_KEYS = {"fail_rate", "fail_items", "seed"}


@dataclass(frozen=True)
class PartnerConfig:
    """How a simulated partner behaves.

    ``fail_rate`` (0..1) fails that share of rows, chosen by a seeded hash of (seed, order_no, item_no);
    ``fail_items`` maps an item_no or an id_number to the (reason_code, reason) it always fails with.
    """

    fail_rate: float = 0.0
    fail_items: dict[str, tuple[str, str]] = field(default_factory=dict)
    seed: str = "sim"

    def __post_init__(self) -> None:
        rate = self.fail_rate
        if isinstance(rate, bool) or not isinstance(rate, (int, float)) or not 0.0 <= rate <= 1.0:
            raise ValueError("fail_rate must be a number between 0 and 1")
        object.__setattr__(self, "fail_rate", float(rate))
        if not isinstance(self.seed, str) or not self.seed:
            raise ValueError("seed must be a non-empty string")
        if not isinstance(self.fail_items, Mapping):
            raise ValueError("fail_items must be a mapping of item_no or id_number to (reason_code, reason)")
        items: dict[str, tuple[str, str]] = {}
        for key, value in self.fail_items.items():
            if not isinstance(key, str) or not key:
                raise ValueError("fail_items keys must be non-empty strings (item_no or id_number)")
            if (not isinstance(value, (tuple, list)) or len(value) != 2
                    or not all(isinstance(v, str) and v and v.isprintable() for v in value)):
                raise ValueError("fail_items values must be (reason_code, reason), two non-empty strings")
            items[key] = (value[0], value[1])
        object.__setattr__(self, "fail_items", items)


def partner_config_from_settings(name: str) -> PartnerConfig:
    """The ``PartnerConfig`` for "bank" or "vendor" from ``settings.SSCARD_SIMULATED_PARTNERS``.

    A missing setting or entry gives the defaults; anything of the wrong shape raises ``ValueError``.
    """
    if name not in PARTNER_NAMES:
        raise ValueError(f"unknown simulated partner {name!r}: expected 'bank' or 'vendor'")
    partners = getattr(settings, _SETTING, None)
    if partners is None:
        return PartnerConfig()
    if not isinstance(partners, Mapping):
        raise ValueError(f"settings.{_SETTING} must be a dict")
    unknown = set(partners) - set(PARTNER_NAMES)
    if unknown:
        raise ValueError(f"settings.{_SETTING} has unknown partners: {sorted(map(str, unknown))}")
    entry: Any = partners.get(name)
    if entry is None:
        return PartnerConfig()
    if not isinstance(entry, Mapping):
        raise ValueError(f"settings.{_SETTING}[{name!r}] must be a dict")
    unknown = set(entry) - _CONFIG_KEYS
    if unknown:
        raise ValueError(f"settings.{_SETTING}[{name!r}] has unknown keys: {sorted(map(str, unknown))}")
    return PartnerConfig(**dict(entry))


# --- deterministic choices -----------------------------------------------------------------------


def _digest(*parts: str) -> bytes:
    return hashlib.sha256("\x1f".join(parts).encode("utf-8")).digest()


def _random_failure(config: PartnerConfig, order_no: str, item_no: str,
                    reasons: tuple[tuple[str, str], ...]) -> tuple[str, str] | None:
    """A reason if this item falls within ``fail_rate``, else None; the same inputs give the same answer."""
    if config.fail_rate <= 0.0:
        return None
    digest = _digest(config.seed, order_no, item_no)
    draw = int.from_bytes(digest[:8], "big") / 2**64  # uniform in [0, 1)
    if draw >= config.fail_rate:
        return None
    return reasons[digest[8] % len(reasons)]


def _configured_failure(config: PartnerConfig, row: dict[str, str]) -> tuple[str, str] | None:
    return config.fail_items.get(row["item_no"]) or config.fail_items.get(row["id_number"])


def luhn_check_digit(digits: str) -> str:
    """The Luhn (mod 10) check digit to append to ``digits``."""
    if not digits.isascii() or not digits.isdigit():
        raise ValueError("luhn_check_digit needs ASCII digits")
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char)
        if position % 2 == 0:  # these are doubled once the check digit is appended
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return str((10 - total % 10) % 10)


def simulated_account_no(seed: str, id_number: str) -> str:
    """A 19-digit bank card account number starting with 6214, Luhn-valid, fixed by (seed, id_number)."""
    body_length = ACCOUNT_LENGTH - len(ACCOUNT_PREFIX) - 1
    number = int.from_bytes(_digest(seed, "account", id_number), "big") % 10**body_length
    first18 = ACCOUNT_PREFIX + f"{number:0{body_length}d}"
    return first18 + luhn_check_digit(first18)


def simulated_identification_code(seed: str, card_no: str) -> str:
    """32 uppercase hex characters fixed by (seed, card_no)."""
    return _digest(seed, "identification", card_no).hex()[:32].upper()


def _ok(kind: str, item_no: str, value: str) -> dict[str, str]:
    value_column = "account_no" if kind == ef.BANK_RESULT else "identification_code"
    return {"item_no": item_no, "result": ef.RESULT_OK, value_column: value, "reason_code": "", "reason": ""}


def _fail(kind: str, item_no: str, reason: tuple[str, str]) -> dict[str, str]:
    value_column = "account_no" if kind == ef.BANK_RESULT else "identification_code"
    return {"item_no": item_no, "result": ef.RESULT_FAIL, value_column: "",
            "reason_code": reason[0], "reason": reason[1]}


# --- the partners --------------------------------------------------------------------------------


class SimulatedBank:
    """Answers a bank_out file (开户报盘) with a bank_result file (开户回盘)."""

    def __init__(self, config: PartnerConfig | None = None):
        self.config = config or PartnerConfig()

    def process(self, out_file: bytes, *, order_no: str | None = None) -> bytes:
        """Answer every row of ``out_file``.

        Raises ``InvalidInput`` if it is not a valid bank_out file (of ``order_no`` when given).
        """
        incoming = ef.read_exchange(out_file, kind=ef.BANK_OUT, order_no=order_no)
        rows = [self._answer(incoming.order_no, row) for row in incoming.rows]
        return ef.write_exchange(ef.BANK_RESULT, incoming.order_no, rows)

    def _answer(self, order_no: str, row: dict[str, str]) -> dict[str, str]:
        item_no = row["item_no"]
        reason = _configured_failure(self.config, row)
        if reason is None and not _opening_data_complete(row):
            reason = BANK_INCOMPLETE
        if reason is None:
            reason = _random_failure(self.config, order_no, item_no, BANK_REASONS)
        if reason is not None:
            return _fail(ef.BANK_RESULT, item_no, reason)
        return _ok(ef.BANK_RESULT, item_no, simulated_account_no(self.config.seed, row["id_number"]))


def _opening_data_complete(row: dict[str, str]) -> bool:
    """A name and an identity number that is valid for its document type."""
    if not row["name"].strip():
        return False
    try:
        parse_identity(row["doc_type"], row["id_number"], today=clock.today())
    except InvalidInput:
        return False
    return True


class SimulatedCardVendor:
    """Answers a vendor_out file (制卡报盘) with a vendor_result file (制卡回盘)."""

    def __init__(self, config: PartnerConfig | None = None):
        self.config = config or PartnerConfig()

    def process(self, out_file: bytes, *, order_no: str | None = None) -> bytes:
        """Answer every row of ``out_file``.

        Raises ``InvalidInput`` if it is not a valid vendor_out file (of ``order_no`` when given).
        """
        incoming = ef.read_exchange(out_file, kind=ef.VENDOR_OUT, order_no=order_no)
        rows = [self._answer(incoming.order_no, row) for row in incoming.rows]
        return ef.write_exchange(ef.VENDOR_RESULT, incoming.order_no, rows)

    def _answer(self, order_no: str, row: dict[str, str]) -> dict[str, str]:
        item_no = row["item_no"]
        reason = _configured_failure(self.config, row)
        if reason is None and (not row["account_no"].strip() or not row["card_no"].strip()):
            reason = VENDOR_INCOMPLETE
        if reason is None:
            reason = _random_failure(self.config, order_no, item_no, VENDOR_REASONS)
        if reason is not None:
            return _fail(ef.VENDOR_RESULT, item_no, reason)
        return _ok(ef.VENDOR_RESULT, item_no, simulated_identification_code(self.config.seed, row["card_no"]))


def answer_outbox(outbox_dir: Path, inbox_dir: Path, *, bank: SimulatedBank,
                  vendor: SimulatedCardVendor) -> list[str]:
    """Answer every BANK_OUT_/VENDOR_OUT_ file in ``outbox_dir`` that has no result file in ``inbox_dir`` yet.

    Result files are written atomically (temporary name in ``inbox_dir``, then ``os.replace``), so a
    reader never sees half a file.  Returns the names written, sorted; a second call writes nothing.
    An out-file that cannot be read (e.g. still being written without the atomic helper) is skipped
    and logged, and answered on a later call once it is complete.
    """
    outbox_dir, inbox_dir = Path(outbox_dir), Path(inbox_dir)
    inbox_dir.mkdir(parents=True, exist_ok=True)
    partners = {ef.BANK_OUT: bank.process, ef.VENDOR_OUT: vendor.process}
    written: list[str] = []
    for path in sorted(outbox_dir.iterdir()):
        parsed = ef.parse_exchange_filename(path.name)
        if parsed is None or parsed[0] not in partners or not path.is_file():
            continue
        kind, order_no = parsed
        result_name = ef.exchange_filename(ef.RESULT_KIND_FOR[kind], order_no)
        if (inbox_dir / result_name).exists():
            continue
        content = path.read_bytes()
        try:
            answer = partners[kind](content, order_no=order_no)
        except InvalidInput as exc:
            logger.warning("simulated partner skipped %s: %s", path.name, exc.code)
            continue
        ef.write_atomically(inbox_dir / result_name, answer)
        written.append(result_name)
    return written
