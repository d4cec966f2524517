"""Fee reads: the quote for a business and the payments of a subject."""

from sscard.core.errors import NotFound
from sscard.core.ids import row_id
from sscard.fees.models import FeeRule, Payment
from sscard.fees.rules import FeeQuote, build_quote, pick_rule
from sscard.policy.choices import Business, CardReason


def fee_quote(*, business: str, reason: str, fee_exempt: bool) -> FeeQuote:
    """What the applicant owes: the most specific active ``FeeRule`` (business + reason, then business +
    any reason), free without a rule; exempt persons (``Person.fee_exempt``, e.g. 低保) pay 0.
    """
    reason = reason or ""
    label = Business(business).label if business in Business.values else business
    if reason in CardReason.values:
        label = f"{label}（{CardReason(reason).label}）"
    candidates = FeeRule.objects.filter(business=business, reason__in={reason, ""}, is_active=True)
    rule = pick_rule(candidates, business=business, reason=reason)
    return build_quote(rule, business_label=label, fee_exempt=fee_exempt)


def payments_for(*, subject_type: str, subject_id) -> list[Payment]:
    """Payments recorded against one subject (e.g. a service request), newest first."""
    return list(Payment.objects.filter(subject_type=subject_type, subject_id=str(subject_id)))


def payment_by_receipt(receipt_no: str) -> Payment | None:
    return Payment.objects.filter(receipt_no=receipt_no).first()


def fee_rules_list() -> list[FeeRule]:
    """The whole fee schedule, by business and reason (inactive rules too: the settings page shows them)."""
    return list(FeeRule.objects.order_by("business", "reason"))


def fee_rule_get(rule_id) -> FeeRule:
    pk = row_id(rule_id)
    rule = FeeRule.objects.filter(pk=pk).first() if pk else None
    if rule is None:
        raise NotFound("FEE_RULE_NOT_FOUND", "未找到该收费标准")
    return rule
