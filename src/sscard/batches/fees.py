"""Batch reissue fee (批量补换卡): settled once per employer batch, at the submitting window, before
production (seed: "经办人完成缴费或抵扣，进入后续制卡程序").

One payment (one receipt) covers every row of the batch still awaiting its fee; each of those
applications then leaves its fee step for production.  The amount is the sum of the rows' quotes from the
fee schedule (the same schedule as individual business), so the employer pays exactly what the rows
would cost one by one.
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import Sum

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.batches.choices import BatchStatus
from sscard.batches.states import SUBJECT, batch_lock
from sscard.core.errors import Conflict
from sscard.desk.choices import RequestEvent, RequestStatus, Step
from sscard.desk.models import ServiceRequest
from sscard.desk.services import request_clear_step, request_move
from sscard.fees.services import payment_record
from sscard.staff.permissions import require


@dataclass(frozen=True)
class BatchFee:
    rows: int
    amount_fen: int
    receipt_no: str = ""


def batch_fee_due(batch) -> BatchFee:
    qs = ServiceRequest.objects.filter(batch_row__batch=batch, status=RequestStatus.AWAITING_FEE)
    total = qs.aggregate(s=Sum("fee_amount_fen"))["s"] or 0
    return BatchFee(rows=qs.count(), amount_fen=int(total))


def batch_settle_fee(*, actor, batch_no: str, method: str, offset_reference: str = "") -> BatchFee:
    """Pay (or offset) the batch's fee in one receipt and send its rows to production."""
    with transaction.atomic():
        batch = batch_lock(batch_no)
        require(actor, "batch.settle_fee", outlet_id=batch.outlet_id)
        if batch.status != BatchStatus.VALIDATED:
            raise Conflict("BATCH_NOT_VALIDATED", "批次尚未校验完成，暂不能缴费")
        reqs = list(ServiceRequest.objects.select_for_update()
                    .filter(batch_row__batch=batch, status=RequestStatus.AWAITING_FEE).order_by("request_no"))
        if not reqs:
            raise Conflict("BATCH_NOTHING_TO_PAY", "该批次没有待缴费的明细")
        total = sum(int(r.fee_amount_fen or 0) for r in reqs)
        payment = payment_record(actor=actor, amount_fen=total, method=method, offset_reference=offset_reference,
                                 subject_type=SUBJECT, subject_id=batch.batch_no,
                                 paid_by_name=batch.employer.name)
        for req in reqs:
            req.payment = payment
            request_clear_step(req, Step.FEE)
            target = RequestStatus.IN_PRODUCTION if not req.pending_steps else RequestStatus.AWAITING_FEE
            request_move(actor=actor, request=req, event=RequestEvent.SETTLE_FEE, target=target,
                         data={"receipt_no": payment.receipt_no, "batch_no": batch.batch_no})
        audit_record(event_type=AuditEventType.BATCH_FEE_SETTLED, actor=actor, subject_type=SUBJECT, subject_id=batch.batch_no,
                     data={"rows": len(reqs), "amount_fen": total, "receipt_no": payment.receipt_no,
                           "method": method})
    return BatchFee(rows=len(reqs), amount_fen=total, receipt_no=payment.receipt_no)
