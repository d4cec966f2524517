"""Writers of the fee schedule from the supervisor's settings pages (the admin is the other writer).

A change is a configuration change: audited as ``CONFIG_ADDED`` / ``CONFIG_CHANGED`` on the rule
(``fees.feerule``) with the changed fields before and after (``staff.config_audit``), in the transaction
that makes it.  Quotes already given (requests' ``fee_amount_fen``) keep their amount.
"""

from django.db import IntegrityError, transaction

from sscard.core.errors import Conflict, InvalidInput, NotFound
from sscard.core.ids import row_id
from sscard.fees.models import FeeRule
from sscard.fees.services import MAX_AMOUNT_FEN
from sscard.policy.catalogue import get_catalogue
from sscard.policy.choices import Business, CardReason
from sscard.staff.config_audit import config_audit_record
from sscard.staff.permissions import require

NOTE_MAX = 200
CHANGEABLE = ("amount_fen", "note", "is_active")


def _check_amount(amount_fen) -> None:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int) or not 0 <= amount_fen <= MAX_AMOUNT_FEN:
        raise InvalidInput("FEE_AMOUNT_INVALID", "金额须为不小于 0 的整数（单位：分），且不超出范围",
                           rule="fee", details={"field": "amount"})


def _check_note(note: str) -> str:
    note = (note or "").strip()
    if len(note) > NOTE_MAX:
        raise InvalidInput("FEE_NOTE_INVALID", f"说明不能超过{NOTE_MAX}个字符", details={"field": "note"})
    return note


def _check_business_reason(business: str, reason: str) -> None:
    if business not in Business.values:
        raise InvalidInput("FEE_RULE_INVALID", "业务类型不正确", details={"field": "business"})
    reasons = get_catalogue().business(business).reasons
    if reason and (reason not in CardReason.values or reason not in reasons):
        allowed = "、".join(str(CardReason(r).label) for r in reasons) or "无（该业务不区分原因）"
        raise InvalidInput("FEE_RULE_INVALID", f"{Business(business).label}的原因只能是：{allowed}",
                           details={"field": "reason"})


def fee_rule_lock(rule_id) -> FeeRule:
    pk = row_id(rule_id)
    rule = FeeRule.objects.select_for_update().filter(pk=pk).first() if pk else None
    if rule is None:
        raise NotFound("FEE_RULE_NOT_FOUND", "未找到该收费标准")
    return rule


def fee_rule_change(*, actor, rule_id, amount_fen: int, note: str, is_active: bool) -> tuple[FeeRule, dict]:
    """Change a rule's amount (fen), note and whether it applies.  Returns the rule and the changed values
    (empty: nothing changed, nothing written)."""
    require(actor, "fee.rule_change")
    _check_amount(amount_fen)
    note = _check_note(note)
    if not isinstance(is_active, bool):
        raise InvalidInput("FEE_RULE_INVALID", "是否启用须为“是”或“否”", details={"field": "is_active"})
    values = {"amount_fen": amount_fen, "note": note, "is_active": is_active}
    with transaction.atomic():
        rule = fee_rule_lock(rule_id)
        changed = [name for name in CHANGEABLE if getattr(rule, name) != values[name]]
        if not changed:
            return rule, {}
        before = {name: getattr(rule, name) for name in changed}
        for name in changed:
            setattr(rule, name, values[name])
        rule.save(update_fields=[*changed, "updated_at"])
        after = {name: values[name] for name in changed}
        config_audit_record(actor=actor, obj=rule, kind="CHANGED", before=before, after=after, via="page")
    return rule, after


def fee_rule_add(*, actor, business: str, reason: str, amount_fen: int, note: str) -> FeeRule:
    """A new rule for a business (and optionally one of the reasons the catalogue lists for it).

    Rule: one rule per (business, reason); the most specific active one applies (``fees.rules.pick_rule``).
    """
    require(actor, "fee.rule_change")
    reason = (reason or "").strip()
    _check_business_reason(business, reason)
    _check_amount(amount_fen)
    note = _check_note(note)
    exists = Conflict("FEE_RULE_EXISTS", "该业务（及原因）已有收费标准，请修改原有标准",
                      details={"field": "business"})
    with transaction.atomic():
        if FeeRule.objects.select_for_update().filter(business=business, reason=reason).exists():
            raise exists
        try:
            with transaction.atomic():  # savepoint: a concurrent add of the same pair is caught here
                rule = FeeRule.objects.create(business=business, reason=reason, amount_fen=amount_fen, note=note,
                                              is_active=True)
        except IntegrityError:
            raise exists from None
        after = {"business": business, "reason": reason, "amount_fen": amount_fen, "note": note, "is_active": True}
        config_audit_record(actor=actor, obj=rule, kind="ADDED", before={}, after=after, via="page")
    return rule
