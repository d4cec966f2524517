"""Writers for employer batches: submission (file or paper route) and the batch state moves.

``batch_submit`` checks in the request what needs no reading of the files: the catalogue cell for the
caller's channel (``[unit]`` in catalogue.toml), the employer and its active handler, the handler's
document, the window evidence, that both files are there and within their byte limits.  It streams the
files to storage (the sheet encrypted chunk by chunk, the scans zip as received; neither is ever held
whole in memory), creates the batch ``queued`` with its 10-working-day due date, archives the evidence,
and after commit queues ``tasks.validate_batch``.  The structural checks of the files (hostile files:
``zip_guard``, ``workbook_reader``, ``scans``) run in that task (``validation.batch_prepare``); a file
they refuse fails the batch with the refusal's code and Chinese message, which the batch's status shows.
Every move is checked against ``rules.TRANSITIONS`` and audited.
"""

import hashlib
import json
import secrets
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction

from sscard.archive.rules import inspect_image
from sscard.archive.services import archive_record_paper, archive_store_image
from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.batches import columns as cols
from sscard.batches import storage
from sscard.batches.choices import BatchStatus, Route
from sscard.batches.models import Batch
from sscard.batches.states import SUBJECT
from sscard.batches.tasks import validate_batch
from sscard.batches.zip_guard import MB, max_scans_bytes, max_workbook_bytes
from sscard.core import clock
from sscard.core.errors import Conflict, InvalidInput, NotFound, Refused
from sscard.desk.intake import DocInput, EvidenceInput, evidence_check, evidence_needs, outlet_of, person_find
from sscard.employers.models import Employer, EmployerHandler
from sscard.employers.rules import validate_uscc
from sscard.policy.catalogue import Cell, get_catalogue, policy_setting
from sscard.policy.choices import Channel, DocType
from sscard.policy.rules import cite
from sscard.staff.permissions import require
from sscard.workdays.selectors import add_working_days

MAX_KEYED_ROWS = 500  # a clerk keys paper rows by hand; larger batches come as a file
MAX_KEYED_VALUE = 200
@dataclass
class BatchFiles:
    """File route: the detail sheet and the scans zip, each an upload (a Django ``File``, read in chunks,
    never whole) or bytes or a local path (tests, the benchmark)."""

    workbook: File | bytes | Path | None
    scans: File | bytes | Path | None = None


@dataclass
class BatchSubmission:
    business: str  # batch_apply | batch_reissue
    employer_uscc: str
    handler: DocInput
    route: str
    files: BatchFiles | None = None
    keyed_rows: list[dict] | None = None  # paper route: one dict per row, keyed by column key
    evidence: EvidenceInput = field(default_factory=EvidenceInput)
    intro_letter_image: bytes | None = None  # paper route: the unit introduction letter
    intro_letter_ref: str = ""  # ... or where its paper original is filed


def _rule(business: str) -> str:
    return cite(get_catalogue().unit.businesses[business].rule)


def unit_cell(business: str, channel: str):
    """The ``[unit]`` cell of this business on this channel, or the refusal that cites the catalogue."""
    spec = get_catalogue().unit.businesses.get(business)
    if spec is None:
        raise NotFound("BATCH_BUSINESS_UNKNOWN", "没有这种单位批量业务")
    cell = spec.cells.get(channel)
    if cell is None:
        where = Channel(channel).label if channel in Channel.values else channel
        raise Refused("BUSINESS_NOT_ON_CHANNEL", f"{spec.label}不能通过{where}办理", rule=_rule(business),
                      details={"business": business, "channel": channel})
    return spec, cell


def _employer_and_handler(sub: BatchSubmission, cell, business: str):
    employer = Employer.objects.filter(uscc=validate_uscc(sub.employer_uscc)).first()
    if employer is None:
        raise NotFound("EMPLOYER_NOT_FOUND", "未找到该用人单位，请先在窗口登记单位信息")
    if not employer.is_active:
        raise Refused("EMPLOYER_INACTIVE", "该用人单位已停用，不能提交批量业务")
    if sub.handler.doc_type not in cell.handler_docs:
        labels = "、".join(str(DocType(d).label) for d in cell.handler_docs)
        raise Refused("MATERIAL_HANDLER_DOC", f"单位经办人须出示{labels}原件", rule=_rule(business))
    person = person_find(sub.handler)
    handler = EmployerHandler.objects.filter(employer=employer, person=person, is_active=True).first()
    if handler is None:
        raise Refused("HANDLER_NOT_AUTHORISED", "出示证件的人员不是该单位登记的有效经办人，请先由单位登记经办人",
                      rule=_rule(business))
    return employer, handler


def _keyed_rows_json(kind: str, rows) -> bytes:
    """Paper route: the clerk's rows as the same column texts a sheet would give, checked for shape."""
    if not isinstance(rows, list) or not rows:
        raise InvalidInput("KEYED_ROWS_EMPTY", "请录入至少一行制卡人员信息")
    if len(rows) > MAX_KEYED_ROWS:
        raise InvalidInput("KEYED_ROWS_TOO_MANY", f"窗口录入每批不超过 {MAX_KEYED_ROWS} 行，更多人员请使用报盘文件")
    keys = [c.key for c in cols.columns(kind)]
    out = []
    for i, row in enumerate(rows, start=1):
        if not isinstance(row, dict):
            raise InvalidInput("KEYED_ROW_INVALID", f"第 {i} 行格式不正确")
        unknown = set(row) - set(keys)
        if unknown:
            raise InvalidInput("KEYED_ROW_INVALID", f"第 {i} 行含有未知的列：{'、'.join(sorted(unknown))[:80]}")
        values = []
        for key in keys:
            value = row.get(key, "")
            if not isinstance(value, str) or len(value) > MAX_KEYED_VALUE or "\x00" in value:
                raise InvalidInput("KEYED_ROW_INVALID", f"第 {i} 行的值须为不超过 {MAX_KEYED_VALUE} 个字符的文本")
            values.append(value.strip())
        out.append(values)
    return json.dumps({"kind": kind, "rows": out}, ensure_ascii=False).encode("utf-8")


def _as_file(source, stack: ExitStack) -> File | None:
    if source is None or isinstance(source, File):
        return source
    if isinstance(source, Path):
        return File(stack.enter_context(open(source, "rb")), name=source.name)
    return ContentFile(bytes(source), name="upload")


def _check_files(files: BatchFiles | None, stack: ExitStack) -> tuple[File, File]:
    """What the request checks of the file route: both files there, each within its byte limit (the
    size the upload declares; the structural checks run in the task)."""
    workbook = _as_file(files.workbook if files else None, stack)
    scans = _as_file(files.scans if files else None, stack)
    if workbook is None or not workbook.size:
        raise InvalidInput("WORKBOOK_MISSING", "请上传制卡明细表（.xlsx）")
    if scans is None:
        raise InvalidInput("SCANS_MISSING", "请上传以证件号码命名的扫描件压缩包（.zip）")
    if workbook.size > max_workbook_bytes():
        raise InvalidInput("WORKBOOK_TOO_LARGE", f"明细表文件过大，不能超过 {max_workbook_bytes() // MB} MB")
    if scans.size > max_scans_bytes():
        raise InvalidInput("SCANS_TOO_LARGE", f"扫描件压缩包过大，不能超过 {max_scans_bytes() // MB} MB")
    return workbook, scans


def _new_batch_no() -> str:
    return f"PL{clock.today():%Y%m%d}{secrets.randbelow(10**8):08d}"


def _check_intro_letter(sub: BatchSubmission) -> None:
    if sub.route != Route.PAPER:
        return
    if sub.intro_letter_image is None and not sub.intro_letter_ref.strip():
        raise Refused("INTRO_LETTER_MISSING", "纸质材料办理须提供单位介绍信（影像或纸质存档编号）")
    if sub.intro_letter_image is not None:
        inspect_image(sub.intro_letter_image)


def batch_submit(*, actor, submission: BatchSubmission) -> Batch:
    """Receive a batch (file or paper route) and queue its validation.  Audited ``BATCH_SUBMITTED``.

    Refusals (nothing stored): business not on this channel or route, unknown or inactive employer, the
    person presenting is not an active handler of the employer, wrong handler document, missing window
    evidence or introduction letter, a hostile or malformed file, or the same file already submitted by
    this employer (``BATCH_ALREADY_SUBMITTED``, a double submit).
    """
    sub = submission
    require(actor, "batch.submit")
    spec, ucell = unit_cell(sub.business, actor.channel)
    if sub.route not in ucell.routes:
        raise Refused("ROUTE_NOT_ALLOWED", f"{spec.label}在{Channel(actor.channel).label}不受理"
                      f"{Route(sub.route).label if sub.route in Route.values else sub.route}方式",
                      rule=_rule(sub.business))
    cell = Cell(business=sub.business, channel=actor.channel, role="unit", allowed=True,
                archive=ucell.archive, signature=ucell.signature)
    outlet = outlet_of(actor)
    needs = evidence_needs(cell, outlet=outlet)
    evidence_check(needs, sub.evidence, cell)
    _check_intro_letter(sub)
    employer, handler = _employer_and_handler(sub, ucell, sub.business)
    batch_no = _new_batch_no()
    with ExitStack() as stack:
        if sub.route == Route.FILE:
            workbook, scans = _check_files(sub.files, stack)
            fmt = "xlsx"
        else:
            keyed = _keyed_rows_json(spec.sheet, sub.keyed_rows)
            fmt = "json"
        names = [storage.source_name(batch_no, fmt)]
        try:
            if sub.route == Route.FILE:
                names.append(storage.scans_name(batch_no))
                source_sha = storage.save_stream_encrypted(names[0], workbook)
                scans_sha = storage.upload_sha256(scans)
                storage.save_upload(names[1], scans)
            else:
                source_sha, scans_sha = hashlib.sha256(keyed).hexdigest(), ""
                storage.save_encrypted(names[0], keyed)
            return _create(actor=actor, sub=sub, spec=spec, ucell=ucell, employer=employer, handler=handler,
                           outlet=outlet, needs=needs, batch_no=batch_no, fmt=fmt, source_sha=source_sha,
                           scans_sha=scans_sha, total=len(sub.keyed_rows) if sub.route == Route.PAPER else 0)
        except BaseException:
            for name in names:
                storage.delete(name)
            raise


def _create(*, actor, sub, spec, ucell, employer, handler, outlet, needs, batch_no, fmt, source_sha,
            scans_sha, total):
    with transaction.atomic():
        earlier = (Batch.objects.filter(employer=employer, source_sha256=source_sha, scans_sha256=scans_sha)
                   .exclude(status=BatchStatus.FAILED).first())
        if earlier is not None:
            raise Conflict("BATCH_ALREADY_SUBMITTED", f"该文件已提交过（批次号 {earlier.batch_no}），请勿重复提交",
                           details={"batch_no": earlier.batch_no})
        now = clock.now()
        due = add_working_days(now, policy_setting("batch_production_working_days"))
        batch = Batch(batch_no=batch_no, business=sub.business, kind=spec.sheet, route=sub.route,
                      channel=actor.channel, catalogue_version=get_catalogue().version, employer=employer,
                      handler=handler, handler_doc_type=sub.handler.doc_type, outlet=outlet,
                      kiosk_id=actor.kiosk_id, actor_name=actor.name, actor_role=actor.role,
                      status=BatchStatus.QUEUED, total_rows=total,
                      source_name=storage.source_name(batch_no, fmt), source_format=fmt, source_sha256=source_sha,
                      scans_name=storage.scans_name(batch_no) if sub.route == Route.FILE else "",
                      scans_sha256=scans_sha, voucher_no=f"PZ{batch_no[2:]}" if ucell.voucher else "",
                      submitted_at=now, due_at=due.due_at, due_provisional=due.provisional, updated_at=now)
        try:
            with transaction.atomic():
                batch.save(force_insert=True)
        except IntegrityError:
            raise Conflict("BATCH_ALREADY_SUBMITTED", "该文件正在由另一笔业务提交，请勿重复提交") from None
        _archive_evidence(actor=actor, batch=batch, needs=needs, sub=sub)
        audit_record(event_type=AuditEventType.BATCH_SUBMITTED, actor=actor, subject_type=SUBJECT, subject_id=batch_no,
                     person_id=handler.person_id,
                     after={"status": batch.status, "business": sub.business, "route": sub.route,
                            "employer": employer.uscc, "total_rows": total, "due_at": batch.due_at},
                     data={"source_sha256": source_sha, "scans_sha256": scans_sha,
                           "handler_doc_type": sub.handler.doc_type,
                           "catalogue_version": batch.catalogue_version})
        transaction.on_commit(lambda: validate_batch.enqueue(batch_no))
    return batch


def _archive_evidence(*, actor, batch: Batch, needs, sub: BatchSubmission) -> None:
    subject = {"subject_type": SUBJECT, "subject_id": batch.batch_no, "person_id": batch.handler.person_id}
    ev = sub.evidence
    if needs.archive == "digital":
        for image in ev.credential_images:
            archive_store_image(actor=actor, kind="credential", content=image, **subject)
        archive_store_image(actor=actor, kind="scene", content=ev.scene_image, **subject)
    elif needs.archive == "paper":
        archive_record_paper(actor=actor, kind="paper_originals", reference=ev.paper_archive_ref.strip(), **subject)
    if needs.signature == "pad":
        archive_store_image(actor=actor, kind="signature", content=ev.signature_image, **subject)
    if sub.intro_letter_image is not None:
        archive_store_image(actor=actor, kind="intro_letter", content=sub.intro_letter_image, **subject)
    elif sub.route == Route.PAPER:
        archive_record_paper(actor=actor, kind="intro_letter", reference=sub.intro_letter_ref, **subject)
