"""Fee rules as pure functions: which schedule row applies, the quote, receipt numbers."""

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass

RECEIPT_PREFIX = "SF"


@dataclass(frozen=True)
class FeeQuote:
    """What the applicant owes for one business: ``rule_id`` is the schedule row used (None = no rule)."""

    amount_fen: int
    rule_id: int | None
    exempt: bool
    note_zh: str


def format_yuan(amount_fen: int) -> str:
    """2000 -> '20.00'."""
    sign = "-" if amount_fen < 0 else ""
    yuan, fen = divmod(abs(amount_fen), 100)
    return f"{sign}{yuan}.{fen:02d}"


def pick_rule(rules: Iterable, *, business: str, reason: str):
    """The most specific active rule: (business, reason) first, then (business, any reason); else None."""
    exact = general = None
    for rule in rules:
        if not rule.is_active or rule.business != business:
            continue
        if reason and rule.reason == reason:
            exact = rule
        elif rule.reason == "":
            general = rule
    return exact or general


def build_quote(rule, *, business_label: str, fee_exempt: bool) -> FeeQuote:
    """Turn the chosen rule (or None) into a quote; exempt persons pay nothing."""
    amount = rule.amount_fen if rule is not None else 0
    rule_id = rule.pk if rule is not None else None
    if fee_exempt:
        return FeeQuote(0, rule_id, True, f"{business_label}：申请人属于免费人群，免收费用")
    if amount == 0:
        why = f"（{rule.note}）" if rule is not None and rule.note else ""
        return FeeQuote(0, rule_id, False, f"{business_label}：免费{why}")
    why = f"（{rule.note}）" if rule.note else ""
    return FeeQuote(amount, rule_id, False, f"{business_label}：收费 {format_yuan(amount)} 元{why}")


def receipt_number(day: dt.date, outlet_key: int, sequence: int) -> str:
    """'SF' + yyyymmdd + outlet (4+ digits, 0 = none) + sequence (6+ digits): SF2026051500120000001."""
    return f"{RECEIPT_PREFIX}{day:%Y%m%d}{outlet_key:04d}{sequence:06d}"
