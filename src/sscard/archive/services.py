"""Writers of the archive: evidence images and paper-archive references.

File/transaction policy: the image bytes are written to storage only *after* the transaction commits
(``transaction.on_commit``).  Django has no rollback hook, so a file written before commit could not be
removed when an outer transaction (e.g. the desk service that calls us) rolls back later; writing after
commit means a rollback leaves nothing behind - no image of a person exists on disk without the row and
audit event that account for it.  The row's file name is reserved inside the transaction (date + uuid),
so the name is known and audited before the bytes land.  The cost: if the process dies between commit
and write, the row points at a missing file; that is logged and detectable (``archive_item_content``
raises ARCHIVE_FILE_MISSING), whereas an orphaned personal image would be invisible.
"""

import functools
import hashlib
import logging

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction

from sscard.archive.choices import EvidenceKind, PaperKind
from sscard.archive.models import ArchiveItem, PaperArchiveRecord, archive_upload_to
from sscard.archive.rules import decode_base64_image, inspect_image
from sscard.archive.watermark import watermark_image, watermarked
from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock
from sscard.core.errors import InvalidInput

__all__ = ["archive_store_image", "archive_store_images", "archive_record_paper", "decode_base64_image"]

logger = logging.getLogger(__name__)

REFERENCE_MAX_LENGTH = 100


def _check_subject(subject_type: str, subject_id) -> str:
    if not isinstance(subject_type, str) or not subject_type.strip() or len(subject_type) > 40:
        raise InvalidInput("ARCHIVE_SUBJECT", "归档对象类型缺失或过长")
    subject_id = "" if subject_id is None else str(subject_id).strip()
    if not subject_id or len(subject_id) > 40:
        raise InvalidInput("ARCHIVE_SUBJECT", "归档对象编号缺失或过长")
    return subject_id


def _actor_fields(actor) -> dict:
    return {
        "actor_kind": actor.kind,
        "actor_id": actor.staff_id or actor.kiosk_id or actor.citizen_id,
        "actor_name": actor.name,
        "actor_role": actor.role,
        "outlet_id": actor.outlet_id,
    }


def _write_after_commit(name: str, content: bytes, item_id: int) -> None:
    # The row is already committed: raising here would tell the caller the business failed when it did
    # not (and invite a duplicate).  Log loudly instead; archive_item_content() reports the missing file.
    try:
        stored = default_storage.save(name, ContentFile(content))
    except Exception:
        logger.exception("archive item %s: writing file %s after commit failed", item_id, name)
        return
    if stored != name:
        logger.error("archive item %s: storage saved %s instead of reserved name %s", item_id, stored, name)


def archive_store_image(*, actor, subject_type: str, subject_id, kind: str, content: bytes,
                        person_id: int | None = None) -> ArchiveItem:
    """Archive one evidence image for a subject and audit ``EVIDENCE_ARCHIVED``.

    Rule: only a real JPEG or PNG (by content) within the byte limit (default 5 MB), the pixel limit
    (default 40 megapixels) and above the minimum side is accepted; everything is checked before anything
    is stored.  A credential, scene or introduction-letter image is stored as a certified copy, with the
    watermark 「此件经与原件核对无误，仅供办理政务服务事项时使用」 (``archive.watermark``; same format and
    size); a card photo, signature, signed form or upload is stored as received.

    Digests: ``sha256`` and ``size_bytes`` are those of the stored bytes (what ``archive_item_content``
    checks for tampering); ``original_sha256`` is that of the bytes received (equal to ``sha256`` when
    nothing was drawn on them).  The path holds no personal data.  The file is written after commit (see
    module docstring), so a rollback stores nothing.
    """
    return archive_store_images(actor=actor, subject_type=subject_type, subject_id=subject_id,
                                images=[(kind, content)], person_id=person_id)[0]


def archive_store_images(*, actor, subject_type: str, subject_id, images: list[tuple[str, bytes]],
                         person_id: int | None = None) -> list[ArchiveItem]:
    """Archive several evidence images of one subject (``images``: ``(kind, content)`` in order), each
    under the rule of ``archive_store_image`` and audited by its own ``EVIDENCE_ARCHIVED``: every image is
    checked (and watermarked) before anything is stored, then the rows are inserted in one statement."""
    for kind, _ in images:
        if kind not in EvidenceKind.values:
            raise InvalidInput("ARCHIVE_KIND", "归档影像类型不正确",
                               details={"allowed": list(EvidenceKind.values)})
    subject_id = _check_subject(subject_type, subject_id)
    prepared = []
    for kind, content in images:
        facts = inspect_image(content)
        received = bytes(content)
        marked = watermarked(kind)
        stored, width, height = watermark_image(received) if marked else (received, facts.width, facts.height)
        prepared.append((kind, facts, hashlib.sha256(received).hexdigest(), marked, stored, width, height))
    if not prepared:
        return []
    now = clock.now()
    actor_fields = _actor_fields(actor)
    items = []
    for kind, facts, original, marked, stored, width, height in prepared:
        item = ArchiveItem(
            subject_type=subject_type, subject_id=subject_id, person_id=person_id, kind=kind,
            sha256=hashlib.sha256(stored).hexdigest(), original_sha256=original, size_bytes=len(stored),
            content_type=facts.content_type, width=width, height=height, created_at=now, **actor_fields,
        )
        item.file.name = archive_upload_to(item, "")
        items.append(item)
    # One transaction for the rows and their events (no savepoint inside the caller's: nothing here is
    # caught and retried, so a failure fails the caller's transaction as it would have anyway).
    with transaction.atomic(savepoint=False):
        ArchiveItem.objects.bulk_create(items)  # the primary keys come back (RETURNING)
        for item, (kind, facts, original, marked, stored, width, height) in zip(items, prepared):
            audit_record(
                event_type=AuditEventType.EVIDENCE_ARCHIVED, actor=actor, subject_type=subject_type,
                subject_id=subject_id, person_id=person_id,
                data={"archive_item_id": item.pk, "kind": kind, "sha256": item.sha256,
                      "original_sha256": original, "watermarked": marked, "size": len(stored),
                      "content_type": facts.content_type, "width": width, "height": height},
            )
            transaction.on_commit(functools.partial(_write_after_commit, item.file.name, stored, item.pk))
    return items


def archive_record_paper(*, actor, subject_type: str, subject_id, kind: str, reference: str,
                         person_id: int | None = None) -> PaperArchiveRecord:
    """Record where a subject's paper originals / signed paper form are filed.

    Audits ``PAPER_ARCHIVE_RECORDED``.

    Rule: the reference (paper file number or location) is required, 1-100 characters after trimming,
    and single-line.
    """
    if kind not in PaperKind.values:
        raise InvalidInput("ARCHIVE_KIND", "纸质归档类型不正确", details={"allowed": list(PaperKind.values)})
    subject_id = _check_subject(subject_type, subject_id)
    reference = reference.strip() if isinstance(reference, str) else ""
    if not reference:
        raise InvalidInput("PAPER_REFERENCE_REQUIRED", "请填写纸质档案编号或存放位置")
    if len(reference) > REFERENCE_MAX_LENGTH:
        raise InvalidInput("PAPER_REFERENCE_TOO_LONG", f"纸质档案编号不能超过 {REFERENCE_MAX_LENGTH} 个字符")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in reference):
        raise InvalidInput("PAPER_REFERENCE_INVALID", "纸质档案编号不能包含换行或控制字符")
    with transaction.atomic():
        record = PaperArchiveRecord.objects.create(
            subject_type=subject_type, subject_id=subject_id, person_id=person_id, kind=kind,
            reference=reference, created_at=clock.now(), **_actor_fields(actor),
        )
        audit_record(
            event_type=AuditEventType.PAPER_ARCHIVE_RECORDED, actor=actor, subject_type=subject_type,
            subject_id=subject_id, person_id=person_id,
            data={"paper_record_id": record.pk, "kind": kind, "reference": reference},
        )
    return record
