"""Background validation of a batch, row by row, in chunks (the task worker's side of ``batches``).

Each chunk of rows is one transaction: the rows checked (identity, age-dependent materials, duplicates
inside the file and against existing cards and pending applications, scans and photo), persons created
where unknown, accepted rows turned into applications (``desk.ServiceRequest``, central production due
in 10 working days), refused rows kept with their reason, the batch's counters advanced and one audit
event written.  A worker killed mid-file leaves whole chunks only; running again skips rows already
stored (``BatchRow`` is unique per line), so nothing is duplicated or lost.

Performance: the checks that need the database run once per chunk (three ``IN`` queries), and rows,
persons and applications are written with ``bulk_create``.
"""

import json
from contextlib import nullcontext

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.batches import columns as cols
from sscard.batches import storage
from sscard.batches.applications import ChunkContext, refuse_by_database, save_applications
from sscard.batches.checking import Checked, SourceRow, StoredScans, checked_chunks, duplicates
from sscard.batches.choices import BatchEvent, BatchStatus, RowStatus
from sscard.batches.models import Batch, BatchRow
from sscard.batches.states import SUBJECT, batch_lock, batch_move
from sscard.batches.workbook_reader import read_workbook
from sscard.core import clock
from sscard.core.bulk import bulk_insert, clone, pairs_where_in
from sscard.core.errors import InvalidInput
from sscard.staff.actors import Actor

DEFAULT_CHUNK_ROWS = 1000

def chunk_rows() -> int:
    return int(getattr(settings, "SSCARD_BATCH_CHUNK_ROWS", DEFAULT_CHUNK_ROWS))


def load_source(batch: Batch) -> list[SourceRow]:
    """The rows of the stored source: as ``batch_submit`` read them, else the sheet read again
    (``workbook_reader.read_workbook``), or the keyed rows of the paper route."""
    parsed = storage.parsed_name(batch.batch_no)
    if batch.source_format == "xlsx" and storage.exists(parsed):
        data = storage.read_encrypted_json(parsed)
        return [SourceRow(line_no, tuple(values), frozenset(numeric)) for line_no, values, numeric in data["rows"]]
    content = storage.read_encrypted(batch.source_name)
    if batch.source_format == "json":
        data = json.loads(content.decode("utf-8"))
        return [SourceRow(line_no=i, values=tuple(v)) for i, v in enumerate(data["rows"], start=2)]

    book = read_workbook(content, kind=batch.kind)
    return [SourceRow(r.line_no, tuple(r.values), frozenset(r.numeric)) for r in book.rows]


def batch_validate(*, batch_no: str, actor=None) -> Batch:
    """Validate every row not yet stored; idempotent (a validated or failed batch is returned as is)."""
    actor = actor or Actor.system("batch-validator")
    with transaction.atomic():
        batch = batch_lock(batch_no)
        if batch.status not in (BatchStatus.QUEUED, BatchStatus.VALIDATING):
            return batch
        batch.started_at = batch.started_at or clock.now()
        batch_move(actor=actor, batch=batch, event=BatchEvent.START, fields=["started_at"])
    try:
        rows = load_source(batch)
    except (InvalidInput, OSError, ValueError) as exc:
        return _fail(actor, batch_no, getattr(exc, "message", "") or "报盘文件无法读取")
    keys = [c.key for c in cols.columns(batch.kind)]
    dups = duplicates(rows, keys)
    done = set(BatchRow.objects.filter(batch_id=batch.pk).values_list("line_no", flat=True))
    pending = [r for r in rows if r.line_no not in done]
    size = chunk_rows()
    chunks = [pending[start:start + size] for start in range(0, len(pending), size)]
    scans_ctx = storage.local_scans(batch.scans_name) if batch.scans_name else nullcontext(None)
    with scans_ctx as scans_path:
        scans = None if scans_path is None else StoredScans(str(scans_path), storage.scans_index_name(batch_no))
        try:
            for checked in checked_chunks(batch.kind, chunks, keys, dups, scans, clock.today()):
                if not process_chunk(actor=actor, batch=batch, checked=checked):
                    return Batch.objects.get(pk=batch.pk)
        except InvalidInput as exc:
            return _fail(actor, batch_no, exc.message)
    return _finish(actor, batch_no)


def _fail(actor, batch_no: str, message: str) -> Batch:
    with transaction.atomic():
        batch = batch_lock(batch_no)
        batch.failure = message[:200]
        batch_move(actor=actor, batch=batch, event=BatchEvent.FAIL, data={"failure": batch.failure},
                   fields=["failure"])
    return batch


def _finish(actor, batch_no: str) -> Batch:
    with transaction.atomic():
        batch = batch_lock(batch_no)
        if batch.status != BatchStatus.VALIDATING:
            return batch
        counts = BatchRow.objects.filter(batch=batch).aggregate(
            accepted=Count("id", filter=Q(status=RowStatus.ACCEPTED)),
            refused=Count("id", filter=Q(status=RowStatus.REFUSED)))
        batch.accepted_rows, batch.refused_rows = counts["accepted"], counts["refused"]
        batch.processed_rows = batch.accepted_rows + batch.refused_rows
        batch.validated_at = clock.now()
        batch_move(actor=actor, batch=batch, event=BatchEvent.FINISH,
                   data={"accepted": batch.accepted_rows, "refused": batch.refused_rows},
                   fields=["accepted_rows", "refused_rows", "processed_rows", "validated_at"])
    return batch


# ---------------------------------------------------------------- one chunk


def process_chunk(*, actor, batch: Batch, checked: list[Checked]) -> bool:
    """Store one checked chunk; False when the batch is no longer being validated."""
    try:
        return _store_chunk(actor, batch, checked, careful=False)
    except IntegrityError:
        # Someone (a window, another batch) created one of these persons or applications meanwhile:
        # redo the chunk row by row so only the rows that lost the race are refused.
        return _store_chunk(actor, batch, checked, careful=True)


def _store_chunk(actor, batch: Batch, checked: list[Checked], *, careful: bool) -> bool:
    with transaction.atomic():
        locked = batch_lock(batch.batch_no)
        if locked.status != BatchStatus.VALIDATING:
            return False
        lines = [c.row.line_no for c in checked]
        stored = {line for line, _ in pairs_where_in(BatchRow, "line_no", lines, "id", also={"batch_id": locked.pk})}
        checked = [c for c in checked if c.row.line_no not in stored]
        if not checked:
            return True
        ctx = ChunkContext.load(locked, [c.id_hash for c in checked if c.chk.ok])
        refuse_by_database(locked, checked, ctx)
        accepted = save_applications(locked, checked, ctx, careful=careful)
        now = clock.now()
        batch_rows = []
        template = BatchRow(batch=locked, created_at=now)
        keys = [c.key for c in cols.columns(locked.kind)]
        for c in checked:
            app = accepted.get(c.row.line_no)
            batch_rows.append(clone(
                template, line_no=c.row.line_no, seq=(c.chk.values.get("seq") or "")[:20],
                status=RowStatus.ACCEPTED if app else RowStatus.REFUSED,
                data=json.dumps(list(c.row.values), ensure_ascii=False),
                numeric=",".join(sorted(keys[i] for i in c.row.numeric if i < len(keys))), id_hash=c.id_hash,
                reason="" if app else "；".join(c.chk.problems), person_id=app.applicant_id if app else None,
                request_id=app.pk if app else None, scans=c.scans if app else {}))
        bulk_insert(BatchRow, batch_rows, key=None)
        n_ok = len(accepted)
        locked.processed_rows += len(batch_rows)
        locked.accepted_rows += n_ok
        locked.refused_rows += len(batch_rows) - n_ok
        locked.updated_at = now
        locked.save(update_fields=["processed_rows", "accepted_rows", "refused_rows", "updated_at"])
        audit_record(event_type=AuditEventType.BATCH_ROWS_PROCESSED, actor=actor, subject_type=SUBJECT,
                     subject_id=locked.batch_no,
                     data={"lines": [min(lines), max(lines)], "accepted": n_ok, "refused": len(batch_rows) - n_ok,
                           "requests": sorted(a.request_no for a in accepted.values()),
                           "persons_created": sorted(ctx.created_person_ids), "careful": careful})
    return True
