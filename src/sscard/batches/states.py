"""A batch's state: lock it, move it through the state table (``rules.TRANSITIONS``), audit the move."""

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.batches.choices import BatchEvent
from sscard.batches.models import Batch
from sscard.batches.rules import next_state
from sscard.core import clock
from sscard.core.errors import Conflict, NotFound

SUBJECT = "batch"
AUDIT = {
    BatchEvent.START: AuditEventType.BATCH_VALIDATION_STARTED,
    BatchEvent.FINISH: AuditEventType.BATCH_VALIDATED,
    BatchEvent.FAIL: AuditEventType.BATCH_FAILED,
}


def batch_lock(batch_no: str) -> Batch:
    batch = Batch.objects.select_for_update().filter(batch_no=batch_no).first()
    if batch is None:
        raise NotFound("BATCH_NOT_FOUND", "未找到该批次")
    return batch


def batch_move(*, actor, batch: Batch, event: str, data: dict | None = None, fields=()) -> None:
    """Move a locked batch by the state table, save it and audit ``BATCH_<EVENT>``."""
    target = next_state(batch.status, event)
    if target is None:
        raise Conflict("BATCH_STATE", f"批次当前状态为“{batch.get_status_display()}”，不能{BatchEvent(event).label}")
    before = batch.status
    batch.status = target
    batch.updated_at = clock.now()
    batch.save(update_fields=["status", "updated_at", *fields])
    if before != target:
        audit_record(event_type=AUDIT[event], actor=actor, subject_type=SUBJECT, subject_id=batch.batch_no,
                     before={"status": before}, after={"status": target}, data=data or {})
