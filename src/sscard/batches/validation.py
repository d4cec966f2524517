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

import hashlib
import json
from contextlib import nullcontext
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Count, Q

from sscard.audit.services import audit_record
from sscard.batches import columns as cols
from sscard.batches import storage
from sscard.batches.choices import BatchEvent, BatchStatus, RowStatus
from sscard.batches.models import Batch, BatchRow
from sscard.batches.rules import RowCheck, check_row
from sscard.batches.services import SUBJECT, batch_lock, batch_move
from sscard.core import clock, crypto
from sscard.core.errors import InvalidInput
from sscard.policy.catalogue import get_catalogue
from sscard.staff.actors import Actor

DEFAULT_CHUNK_ROWS = 1000
SCAN_LABELS = {"photo": ("照片", "证件号码.jpg"), "id_front": ("身份证正面", "证件号码_正面.jpg"),
               "id_back": ("身份证反面", "证件号码_反面.jpg"), "hukou_own": ("户口簿本人页", "证件号码_户口本人页.jpg"),
               "hukou_change": ("户口簿增减页", "证件号码_户口增减页.jpg")}


def chunk_rows() -> int:
    return int(getattr(settings, "SSCARD_BATCH_CHUNK_ROWS", DEFAULT_CHUNK_ROWS))


@dataclass(frozen=True)
class SourceRow:
    line_no: int
    values: tuple[str, ...]
    numeric: frozenset[int] = frozenset()


@dataclass
class Checked:
    row: SourceRow
    chk: RowCheck
    scans: dict = field(default_factory=dict)
    id_hash: str = ""


def load_source(batch: Batch) -> list[SourceRow]:
    """The rows of the stored source: the sheet (``safe_files.read_workbook``) or the keyed rows."""
    content = storage.read_encrypted(batch.source_name)
    if batch.source_format == "json":
        data = json.loads(content.decode("utf-8"))
        return [SourceRow(line_no=i, values=tuple(v)) for i, v in enumerate(data["rows"], start=2)]
    from sscard.batches.safe_files import read_workbook

    book = read_workbook(content, kind=batch.kind)
    return [SourceRow(r.line_no, tuple(r.values), frozenset(r.numeric)) for r in book.rows]


def _dup_key(values: dict[str, str]) -> str:
    return crypto.normalise(values.get("doc_number", ""))


def _duplicates(rows: list[SourceRow], keys: list[str]) -> dict[str, list[int]]:
    seen: dict[str, list[int]] = {}
    idx = keys.index("doc_number")
    for r in rows:
        key = crypto.normalise(r.values[idx]) if idx < len(r.values) else ""
        if key:
            seen.setdefault(key, []).append(r.line_no)
    return {k: v for k, v in seen.items() if len(v) > 1}


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
    dups = _duplicates(rows, keys)
    done = set(BatchRow.objects.filter(batch_id=batch.pk).values_list("line_no", flat=True))
    pending = [r for r in rows if r.line_no not in done]
    size = chunk_rows()
    scans_ctx = storage.local_scans(batch.scans_name) if batch.scans_name else nullcontext(None)
    with scans_ctx as scans_path:
        archive_ctx = _open_scans(scans_path) if scans_path is not None else nullcontext(None)
        try:
            with archive_ctx as scans:
                for start in range(0, len(pending), size):
                    if not process_chunk(actor=actor, batch=batch, rows=pending[start:start + size], keys=keys,
                                         dups=dups, scans=scans):
                        return Batch.objects.get(pk=batch.pk)
        except InvalidInput as exc:
            return _fail(actor, batch_no, exc.message)
    return _finish(actor, batch_no)


def _open_scans(path):
    from sscard.batches.safe_files import open_scans

    return open_scans(path)


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


def _check_rows(batch: Batch, rows: list[SourceRow], keys: list[str], dups, scans) -> list[Checked]:
    cat = get_catalogue()
    today, adult_age, banks = clock.today(), cat.setting("adult_age"), cols.service_banks()
    out = []
    for row in rows:
        values = dict(zip(keys, row.values))
        numeric = {keys[i] for i in row.numeric if i < len(keys)}
        chk = check_row(values, kind=batch.kind, numeric=numeric, today=today, adult_age=adult_age, banks=banks)
        item = Checked(row=row, chk=chk)
        if chk.ok:
            lines = dups.get(_dup_key(values))
            if lines:
                others = "、".join(str(n) for n in lines if n != row.line_no)
                chk.problems.append(f"文件内证件号码重复（与第 {others} 行相同）")
        if chk.ok and scans is not None:
            item.scans = _check_scans(batch, chk, scans)
        if chk.ok:
            item.id_hash = crypto.lookup_hash(chk.id_number, purpose="id")
        out.append(item)
    return out


def _check_scans(batch: Batch, chk: RowCheck, scans) -> dict:
    from sscard.batches.safe_files import check_photo, check_scan

    unit = get_catalogue().unit
    wanted = list(unit.scans.minor if chk.minor else unit.scans.adult)
    if batch.kind == cols.NEW_CARD:
        photo_required = not chk.minor or unit.scans.minor_photo == "required"
    else:
        photo_required = chk.values.get("photo_changed") == "是" and (
            not chk.minor or unit.scans.minor_photo == "required")
    found = {}
    for kind in ["photo", *wanted]:
        name = scans.find(chk.id_number, kind)
        label, pattern = SCAN_LABELS[kind]
        if name is None:
            if kind != "photo" or photo_required:
                chk.problems.append(f"缺少{label}扫描件（应命名为“{pattern}”）")
            continue
        content = scans.read(name)
        problems = check_photo(content) if kind == "photo" else check_scan(content)
        chk.problems.extend(f"{label}：{p}" for p in problems)
        found[kind] = hashlib.sha256(content).hexdigest()  # member names carry the ID number: not kept
    return found


def process_chunk(*, actor, batch: Batch, rows: list[SourceRow], keys, dups, scans) -> bool:
    """Check and store one chunk; False when the batch is no longer being validated."""
    checked = _check_rows(batch, rows, keys, dups, scans)
    try:
        return _store_chunk(actor, batch, checked, careful=False)
    except IntegrityError:
        # Someone (a window, another batch) created one of these persons or applications meanwhile:
        # redo the chunk row by row so only the rows that lost the race are refused.
        return _store_chunk(actor, batch, checked, careful=True)


def _store_chunk(actor, batch: Batch, checked: list[Checked], *, careful: bool) -> bool:
    from sscard.batches.applications import ChunkContext, refuse_by_database, save_applications

    with transaction.atomic():
        locked = batch_lock(batch.batch_no)
        if locked.status != BatchStatus.VALIDATING:
            return False
        lines = [c.row.line_no for c in checked]
        stored = set(BatchRow.objects.filter(batch=locked, line_no__in=lines).values_list("line_no", flat=True))
        checked = [c for c in checked if c.row.line_no not in stored]
        if not checked:
            return True
        ctx = ChunkContext.load(locked, [c.id_hash for c in checked if c.chk.ok])
        refuse_by_database(locked, checked, ctx)
        accepted = save_applications(locked, checked, ctx, careful=careful)
        now = clock.now()
        batch_rows = []
        for c in checked:
            app = accepted.get(c.row.line_no)
            batch_rows.append(BatchRow(
                batch=locked, line_no=c.row.line_no, seq=(c.chk.values.get("seq") or "")[:20],
                status=RowStatus.ACCEPTED if app else RowStatus.REFUSED,
                data=json.dumps(list(c.row.values), ensure_ascii=False),
                numeric=",".join(sorted(keys_of(locked.kind, c.row.numeric))), id_hash=c.id_hash,
                reason="" if app else "；".join(c.chk.problems), person=app.applicant if app else None,
                request=app, scans=c.scans if app else {}, created_at=now))
        BatchRow.objects.bulk_create(batch_rows, batch_size=2000)
        n_ok = len(accepted)
        locked.processed_rows += len(batch_rows)
        locked.accepted_rows += n_ok
        locked.refused_rows += len(batch_rows) - n_ok
        locked.updated_at = now
        locked.save(update_fields=["processed_rows", "accepted_rows", "refused_rows", "updated_at"])
        audit_record(event_type="BATCH_ROWS_PROCESSED", actor=actor, subject_type=SUBJECT,
                     subject_id=locked.batch_no,
                     data={"lines": [min(lines), max(lines)], "accepted": n_ok, "refused": len(batch_rows) - n_ok,
                           "requests": sorted(a.request_no for a in accepted.values()),
                           "persons_created": sorted(ctx.created_person_ids), "careful": careful})
    return True


def keys_of(kind: str, indexes) -> list[str]:
    keys = [c.key for c in cols.columns(kind)]
    return [keys[i] for i in indexes if i < len(keys)]

