"""Background validation of a batch (the task workers' side of ``batches``): the structural checks of the
files, then the rows in parts that any task worker takes, then the close.

1. ``batch_prepare`` (task ``validate_batch``): the sheet read and checked (``workbook_reader``: header,
   zip defences, XML), the scans zip's directory walked and checked (``scans.open_scans``), both as the
   submission used to do in the request; a refusal fails the batch with its code and Chinese message
   (``failure_code`` / ``failure``) and removes the stored files.  Otherwise the rows are cut into parts
   of ``SSCARD_BATCH_PART_ROWS`` (5,000) rows, each written as one encrypted part file (its rows, their
   duplicates in the whole file, the slice of the zip's directory their scans are in) with a
   ``BatchPart`` row, and the batch moves to ``validating``.
2. ``batch_validate_part`` (task ``validate_batch_part``, one per part): the part's rows checked
   (identity, age-dependent materials, duplicates inside the file and against existing cards and pending
   applications, scans and photo) and stored chunk by chunk (``SSCARD_BATCH_CHUNK_ROWS``, one
   transaction each: persons created where unknown, accepted rows turned into applications, refused rows
   kept with their reason, the batch's counters advanced, one audit event).  A chunk's transaction
   locks its part (not the batch: parts are stored side by side), skips lines already stored (``BatchRow``
   is unique per line), so a part re-run after a crash writes nothing twice.
3. When its last part is done, the batch is closed (``_finish_if_complete``, under the batch's lock:
   whichever part ends last closes it, once).

``batch_validate`` runs all three in the calling process (tests, a batch re-run by hand).
"""

import json
import secrets
from contextlib import contextmanager, nullcontext

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, F, Q

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.batches import columns as cols
from sscard.batches import storage
from sscard.batches.applications import ChunkContext, refuse_by_database, save_applications
from sscard.batches.checking import Checked, SourceRow, StoredScans, checked_chunks, duplicates, scan_ids
from sscard.batches.choices import BatchEvent, BatchStatus, RowStatus
from sscard.batches.models import Batch, BatchPart, BatchRow
from sscard.batches.scans import ScanArchive, open_scans
from sscard.batches.states import SUBJECT, batch_lock, batch_move
from sscard.batches.workbook_reader import read_workbook
from sscard.core import clock, crypto
from sscard.core.bulk import bulk_insert, clone, pairs_where_in
from sscard.core.errors import InvalidInput
from sscard.notify.choices import MessageKind, Recipient
from sscard.notify.services import notify_enqueue
from sscard.staff.actors import Actor

DEFAULT_CHUNK_ROWS = 1000
DEFAULT_PART_ROWS = 5000
UNREADABLE = "报盘文件无法读取"


def chunk_rows() -> int:
    return int(getattr(settings, "SSCARD_BATCH_CHUNK_ROWS", DEFAULT_CHUNK_ROWS))


def part_rows() -> int:
    return int(getattr(settings, "SSCARD_BATCH_PART_ROWS", DEFAULT_PART_ROWS))


def _system(actor):
    return actor or Actor.system("batch-validator")


# ---------------------------------------------------------------- the structural checks


def load_source(batch: Batch) -> list[SourceRow]:
    """The rows of the stored source: the sheet read and checked (``workbook_reader.read_workbook``, on a
    local decrypted copy), the keyed rows of the paper route, or the rows an earlier version kept."""
    parsed = storage.parsed_name(batch.batch_no)
    if batch.source_format == "xlsx" and storage.exists(parsed):
        data = storage.read_encrypted_json(parsed)
        return [SourceRow(line_no, tuple(values), frozenset(numeric)) for line_no, values, numeric in data["rows"]]
    if batch.source_format == "json":
        data = json.loads(storage.read_encrypted(batch.source_name).decode("utf-8"))
        return [SourceRow(line_no=i, values=tuple(v)) for i, v in enumerate(data["rows"], start=2)]
    with storage.local_decrypted(batch.source_name) as path:
        book = read_workbook(path, kind=batch.kind)
    return [SourceRow(r.line_no, tuple(r.values), frozenset(r.numeric)) for r in book.rows]


@contextmanager
def _scan_archive(batch: Batch):
    """The stored scans zip, its directory walked and checked (or as an earlier version kept it)."""
    if not batch.scans_name:
        yield None
        return
    with storage.local_scans(batch.scans_name) as path:
        kept = storage.scans_index_name(batch.batch_no)
        archive = (ScanArchive.from_index(path, storage.read_encrypted_json(kept)) if storage.exists(kept)
                   else open_scans(path))
        with archive:
            yield archive


def _write_parts(batch: Batch, rows: list[SourceRow], token: str) -> list[BatchPart]:
    keys = [c.key for c in cols.columns(batch.kind)]
    idx = keys.index("doc_number")
    dups = duplicates(rows, keys)
    size = part_rows()
    parts = []
    with _scan_archive(batch) as archive:
        for part_no, start in enumerate(range(0, len(rows), size)):
            chunk = rows[start:start + size]
            numbers = [r.values[idx] if idx < len(r.values) else "" for r in chunk]
            part_dups = {}
            for number in numbers:
                key = crypto.normalise(number)
                if key in dups:
                    part_dups[key] = dups[key]
            ids = set().union(*map(scan_ids, numbers)) if archive is not None else set()
            data = {"kind": batch.kind,
                    "rows": [[r.line_no, list(r.values), sorted(r.numeric)] for r in chunk],
                    "dups": part_dups, "scans": archive.index(ids) if archive is not None else None}
            name = storage.part_name(batch.batch_no, token, part_no)
            storage.save_encrypted(name, storage.compact_json(data))
            parts.append(BatchPart(batch=batch, part_no=part_no, first_line=chunk[0].line_no,
                                   last_line=chunk[-1].line_no, rows=len(chunk), file_name=name))
    return parts


def batch_prepare(*, batch_no: str, actor=None) -> Batch:
    """The structural checks of a queued batch's files and its parts; idempotent (a batch that has its
    parts, or is validated or failed, is returned as is)."""
    actor = _system(actor)
    batch = Batch.objects.select_related("employer").filter(batch_no=batch_no).first()
    live = (BatchStatus.QUEUED, BatchStatus.VALIDATING)
    if batch is None or batch.status not in live or batch.parts.exists():
        return batch or batch_lock(batch_no)
    token = secrets.token_hex(4)
    try:
        rows = load_source(batch)
        parts = _write_parts(batch, rows, token)
    except InvalidInput as exc:
        _delete_parts(batch_no, token)
        return _fail(actor, batch_no, exc.message, code=exc.code, drop_files=True)
    except (OSError, ValueError):
        _delete_parts(batch_no, token)
        return _fail(actor, batch_no, UNREADABLE)
    with transaction.atomic():
        locked = batch_lock(batch_no)
        if locked.status not in (BatchStatus.QUEUED, BatchStatus.VALIDATING) or locked.parts.exists():
            transaction.on_commit(lambda: _delete_parts(batch_no, token))  # another run got there first
            return locked
        BatchPart.objects.bulk_create(parts)
        locked.total_rows = len(rows)
        # rows an earlier version's run stored already
        locked.processed_rows = BatchRow.objects.filter(batch=locked).count()
        locked.started_at = locked.started_at or clock.now()
        batch_move(actor=actor, batch=locked, event=BatchEvent.START,
                   data={"rows": len(rows), "parts": len(parts)},
                   fields=["total_rows", "processed_rows", "started_at"])
    return locked


def _delete_parts(batch_no: str, token: str, *, part_no: int = 0) -> None:
    while storage.exists(name := storage.part_name(batch_no, token, part_no)):
        storage.delete(name)
        part_no += 1


def pending_parts(batch: Batch) -> list[int]:
    return list(BatchPart.objects.filter(batch=batch, done_at__isnull=True).order_by("part_no")
                .values_list("part_no", flat=True))


# ---------------------------------------------------------------- the parts


def batch_validate(*, batch_no: str, actor=None) -> Batch:
    """Validate every row not yet stored, in this process; idempotent (a validated or failed batch is
    returned as is)."""
    actor = _system(actor)
    batch = batch_prepare(batch_no=batch_no, actor=actor)
    if batch.status != BatchStatus.VALIDATING:
        return batch
    for part_no in pending_parts(batch):
        batch = batch_validate_part(batch_no=batch_no, part_no=part_no, actor=actor, parallel=True)
        if batch.status != BatchStatus.VALIDATING:
            return batch
    return _finish_if_complete(actor, batch_no)


def batch_validate_part(*, batch_no: str, part_no: int, actor=None, parallel: bool = False) -> Batch:
    """Check and store the rows of one part not yet stored, then close the batch if it was the last."""
    actor = _system(actor)
    part = BatchPart.objects.select_related("batch").filter(batch__batch_no=batch_no, part_no=part_no).first()
    if part is None:
        return batch_lock(batch_no)
    batch = part.batch
    if part.done_at is None and batch.status == BatchStatus.VALIDATING:
        if not _validate_part(actor, batch, part, parallel=parallel):
            return Batch.objects.get(pk=batch.pk)
        with transaction.atomic():
            BatchPart.objects.filter(pk=part.pk, done_at__isnull=True).update(done_at=clock.now())
    return _finish_if_complete(actor, batch_no)


def _validate_part(actor, batch: Batch, part: BatchPart, *, parallel: bool) -> bool:
    data = storage.read_encrypted_json(part.file_name)
    rows = [SourceRow(line_no, tuple(values), frozenset(numeric))
            for line_no, values, numeric in data["rows"]]
    keys = [c.key for c in cols.columns(batch.kind)]
    done = set(BatchRow.objects.filter(batch_id=batch.pk, line_no__gte=part.first_line,
                                       line_no__lte=part.last_line).values_list("line_no", flat=True))
    pending = [r for r in rows if r.line_no not in done]
    size = chunk_rows()
    chunks = [pending[start:start + size] for start in range(0, len(pending), size)]
    scans_ctx = storage.local_scans(batch.scans_name) if batch.scans_name else nullcontext(None)
    try:
        with scans_ctx as scans_path:
            scans = None if scans_path is None else StoredScans(str(scans_path), part_name=part.file_name)
            for checked in checked_chunks(batch.kind, chunks, keys, data["dups"], scans, clock.today(),
                                          parallel=parallel):
                if not process_chunk(actor=actor, batch=batch, part=part, checked=checked):
                    return False
    except InvalidInput as exc:
        _fail(actor, batch.batch_no, exc.message, code=exc.code)
        return False
    return True


def _fail(actor, batch_no: str, message: str, *, code: str = "", drop_files: bool = False) -> Batch:
    with transaction.atomic():
        batch = batch_lock(batch_no)
        if batch.status not in (BatchStatus.QUEUED, BatchStatus.VALIDATING):
            return batch
        batch.failure, batch.failure_code = message[:200], code[:40]
        batch_move(actor=actor, batch=batch, event=BatchEvent.FAIL,
                   data={"failure": batch.failure, "code": batch.failure_code},
                   fields=["failure", "failure_code"])
        _notify_handler(batch, MessageKind.BATCH_FAILED)
        if drop_files:  # a refused file is not kept
            names = [batch.source_name, batch.scans_name]
            transaction.on_commit(lambda: [storage.delete(n) for n in names])
    return batch


def finish_if_complete(*, batch_no: str, actor=None) -> Batch:
    """Close the batch when every part is done (under its lock: once, whoever calls last)."""
    return _finish_if_complete(_system(actor), batch_no)


def _finish_if_complete(actor, batch_no: str) -> Batch:
    with transaction.atomic():
        batch = batch_lock(batch_no)
        if batch.status != BatchStatus.VALIDATING or BatchPart.objects.filter(
                batch=batch, done_at__isnull=True).exists() or not batch.parts.exists():
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
        _notify_handler(batch, MessageKind.BATCH_VALIDATED, accepted=batch.accepted_rows,
                        refused=batch.refused_rows)
    return batch


def _notify_handler(batch: Batch, kind: str, **params) -> None:
    """SMS to the submitting handler (through the outbox, in the batch's transaction): validation ended."""
    notify_enqueue(kind=kind, recipient=Recipient.EMPLOYER_HANDLER, person_id=batch.handler.person_id,
                   subject=(SUBJECT, batch.batch_no),
                   params={"employer": batch.employer.name, "batch_no": batch.batch_no,
                           "outlet": batch.outlet.name, **params})


# ---------------------------------------------------------------- one chunk


def process_chunk(*, actor, batch: Batch, part: BatchPart, checked: list[Checked]) -> bool:
    """Store one checked chunk; False when the batch is no longer being validated."""
    try:
        return _store_chunk(actor, batch, part, checked, careful=False)
    except IntegrityError:
        # Someone (a window, another batch) created one of these persons or applications meanwhile:
        # redo the chunk row by row so only the rows that lost the race are refused.
        return _store_chunk(actor, batch, part, checked, careful=True)


def _store_chunk(actor, batch: Batch, part: BatchPart, checked: list[Checked], *, careful: bool) -> bool:
    with transaction.atomic():
        # The part's lock: one writer per range of lines.  The batch row is only updated at the end (its
        # counters, by increments), so the parts of one batch are stored side by side.
        BatchPart.objects.select_for_update().filter(pk=part.pk).first()
        status = Batch.objects.filter(pk=batch.pk).values_list("status", flat=True).first()
        if status != BatchStatus.VALIDATING:
            return False
        locked = batch
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
        moved = Batch.objects.filter(pk=locked.pk, status=BatchStatus.VALIDATING).update(
            processed_rows=F("processed_rows") + len(batch_rows), accepted_rows=F("accepted_rows") + n_ok,
            refused_rows=F("refused_rows") + len(batch_rows) - n_ok, updated_at=now)
        if not moved:  # failed meanwhile: nothing of this chunk stays
            transaction.set_rollback(True)
            return False
        audit_record(event_type=AuditEventType.BATCH_ROWS_PROCESSED, actor=actor, subject_type=SUBJECT,
                     subject_id=locked.batch_no,
                     data={"lines": [min(lines), max(lines)], "accepted": n_ok, "refused": len(batch_rows) - n_ok,
                           "requests": sorted(a.request_no for a in accepted.values()),
                           "persons_created": sorted(ctx.created_person_ids), "careful": careful})
    return True
