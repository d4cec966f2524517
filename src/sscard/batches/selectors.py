"""Reads of batches: one batch for a caller, its rows (masked), and its error workbook."""

import datetime as dt
import json

from django.db.models import QuerySet

from sscard.batches import columns as cols
from sscard.batches.choices import BatchStatus, RowStatus
from sscard.batches.error_workbook import RefusedRow, build_error_workbook
from sscard.batches.models import Batch, BatchRow
from sscard.core.errors import NotFound
from sscard.staff.permissions import outlet_bound


def batch_for(actor, batch_no: str) -> Batch:
    """The batch, if this caller may see it (clerks and kiosks: their outlet's batches only)."""
    batch = (Batch.objects.select_related("employer", "handler__person", "outlet")
             .filter(batch_no=batch_no).first())
    if batch is None or (outlet_bound(actor) and batch.outlet_id != actor.outlet_id):
        raise NotFound("BATCH_NOT_FOUND", "未找到该批次")
    return batch


def batches_of(actor, *, employer=None) -> QuerySet[Batch]:
    qs = Batch.objects.select_related("employer", "handler__person", "outlet").order_by("-submitted_at", "-id")
    if outlet_bound(actor):
        qs = qs.filter(outlet_id=actor.outlet_id)
    if employer is not None:
        qs = qs.filter(employer=employer)
    return qs


def rows_of(batch: Batch, *, status: str | None = None) -> QuerySet[BatchRow]:
    qs = BatchRow.objects.filter(batch=batch).select_related("request").order_by("line_no")
    return qs.filter(status=status) if status else qs


def row_values(row: BatchRow) -> list[str]:
    return json.loads(row.data)


def error_workbook(batch: Batch) -> bytes:
    """The refused rows' receipt (row number, 序号, masked name and ID number, reason), built on demand
    (deterministic bytes).  Handed out only through ``error_workbook_download`` (checked and audited)."""
    rows = (BatchRow.objects.filter(batch=batch, status=RowStatus.REFUSED).order_by("line_no")
            .only("data", "reason", "line_no", "seq"))
    keys = [c.key for c in cols.columns(batch.kind)]

    def refused(row: BatchRow) -> RefusedRow:
        values = dict(zip(keys, row_values(row))) if row.data else {}
        return RefusedRow(line_no=row.line_no, seq=row.seq or values.get("seq", ""),
                          name=values.get("name", ""), id_number=values.get("doc_number", ""),
                          reason=row.reason)

    return build_error_workbook(batch.kind, (refused(r) for r in rows.iterator(chunk_size=2000)))


def batches_stalled(now, *, minutes: int = 10) -> QuerySet[Batch]:
    """Batches queued or being validated with no progress for ``minutes`` (a worker died): re-queued by
    ``run_due_sweeps``; validation resumes where it stopped."""
    return Batch.objects.filter(status__in=(BatchStatus.QUEUED, BatchStatus.VALIDATING),
                                updated_at__lt=now - dt.timedelta(minutes=minutes))
