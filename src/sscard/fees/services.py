"""Fee writers: recording a settled fee (paid or offset) with its receipt."""

from django.db import IntegrityError, transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock
from sscard.core.errors import InvalidInput
from sscard.core.masking import mask_name
from sscard.fees.choices import PaymentMethod
from sscard.fees.models import Payment, ReceiptSequence
from sscard.fees.rules import format_yuan, receipt_number

MAX_AMOUNT_FEN = 2_147_483_647
_RECEIPT_ATTEMPTS = 3


def _next_receipt_no(outlet_key: int) -> str:
    """Take the next number of today's sequence for the outlet, holding the sequence row's lock.

    ``get_or_create`` survives a concurrent first insert (it retries the read on IntegrityError); the
    ``select_for_update`` lock then serialises increments until the caller's transaction commits.
    """
    day = clock.today()
    ReceiptSequence.objects.get_or_create(day=day, outlet_key=outlet_key)
    seq = ReceiptSequence.objects.select_for_update().get(day=day, outlet_key=outlet_key)
    seq.last += 1
    seq.save(update_fields=["last"])
    return receipt_number(day, outlet_key, seq.last)


def _validate(amount_fen, method: str, offset_reference: str, subject_type: str, subject_id) -> None:
    if isinstance(amount_fen, bool) or not isinstance(amount_fen, int):
        raise InvalidInput("FEE_AMOUNT_INVALID", "金额必须是以“分”为单位的整数", rule="fee")
    if amount_fen < 0 or amount_fen > MAX_AMOUNT_FEN:
        raise InvalidInput("FEE_AMOUNT_INVALID", "金额不能为负数或超出范围", rule="fee")
    if method not in PaymentMethod.values:
        raise InvalidInput("FEE_METHOD_UNKNOWN", "结算方式无效，应为缴费（paid）或抵扣（offset）", rule="fee")
    if method == PaymentMethod.OFFSET and not offset_reference:
        raise InvalidInput("FEE_OFFSET_REFERENCE_REQUIRED", "抵扣必须填写抵扣凭证号", rule="fee")
    if len(offset_reference) > 64:
        raise InvalidInput("FEE_OFFSET_REFERENCE_INVALID", "抵扣凭证号过长（最多 64 个字符）", rule="fee")
    if not subject_type or len(subject_type) > 40 or subject_id in (None, "") or len(str(subject_id)) > 40:
        raise InvalidInput("FEE_SUBJECT_INVALID", "缴费记录缺少或超长的业务对象标识", rule="fee")


def payment_record(*, actor, amount_fen: int, method: str, offset_reference: str = "", subject_type: str,
                   subject_id, person_id: int | None = None, paid_by_name: str = "") -> Payment:
    """Record a fee settled at the window: paid, or offset against a voucher (清缴或抵扣).

    Rules: amount in fen, integer, >= 0; method ``paid`` or ``offset``; an offset needs its voucher number
    (``offset_reference``).  The receipt number ("SF" + yyyymmdd + outlet + sequence) is unique: taken
    from a per-day, per-outlet sequence row locked with ``select_for_update``, with the unique column
    as a backstop.  The payer's name is stored masked.  Audited as ``FEE_SETTLED`` in the same
    transaction (joins the caller's transaction when there is one).
    """
    offset_reference = (offset_reference or "").strip()
    _validate(amount_fen, method, offset_reference, subject_type, subject_id)
    outlet_key = actor.outlet_id or 0
    with transaction.atomic():
        for attempt in range(_RECEIPT_ATTEMPTS):
            receipt_no = _next_receipt_no(outlet_key)
            try:
                with transaction.atomic():
                    payment = Payment.objects.create(
                        receipt_no=receipt_no, amount_fen=amount_fen, method=method,
                        offset_reference=offset_reference, paid_by_name=mask_name(paid_by_name.strip())[:50],
                        subject_type=subject_type, subject_id=str(subject_id), person_id=person_id,
                        actor_kind=actor.kind, actor_name=actor.name, actor_role=actor.role,
                        channel=actor.channel, outlet_id=actor.outlet_id, created_at=clock.now(),
                    )
                break
            except IntegrityError:
                # Only the receipt number can clash here (everything else was validated above).
                if attempt == _RECEIPT_ATTEMPTS - 1:
                    raise
        audit_record(
            event_type=AuditEventType.FEE_SETTLED, actor=actor, subject_type=subject_type, subject_id=subject_id,
            person_id=person_id,
            after={"receipt_no": payment.receipt_no, "amount_fen": amount_fen, "method": method,
                   "offset_reference": offset_reference},
            data={"payment_id": payment.pk, "amount_yuan": format_yuan(amount_fen)},
        )
    return payment
