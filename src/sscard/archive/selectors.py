"""Reads of the archive."""

import hashlib

from django.core.files.storage import default_storage
from django.db.models import QuerySet

from sscard.archive.models import ArchiveItem, PaperArchiveRecord
from sscard.core.errors import Conflict, NotFound
from sscard.core.storage import EncryptedFileError


def archive_items_for(subject_type: str, subject_id) -> QuerySet[ArchiveItem]:
    """Archived images of one subject, oldest first."""
    return ArchiveItem.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by(
        "created_at", "id")


def paper_records_for(subject_type: str, subject_id) -> QuerySet[PaperArchiveRecord]:
    """Paper-archive references of one subject, oldest first."""
    return PaperArchiveRecord.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by(
        "created_at", "id")


def archive_item_content(item: ArchiveItem) -> bytes:
    """The stored bytes of an archived image, checked against the recorded SHA-256.

    Raises NotFound("ARCHIVE_FILE_MISSING") if the file is absent, Conflict("ARCHIVE_FILE_TAMPERED") if
    its digest no longer matches or its sealed bytes no longer open (``core.storage``).
    """
    if not item.file.name or not default_storage.exists(item.file.name):
        raise NotFound("ARCHIVE_FILE_MISSING", "归档影像文件不存在")
    try:
        with default_storage.open(item.file.name, "rb") as handle:
            content = handle.read()
    except EncryptedFileError:  # sealed at rest: a changed byte, a cut-off file or an unknown key
        raise Conflict("ARCHIVE_FILE_TAMPERED", "归档影像文件与登记的校验值不一致，可能已被篡改") from None
    if hashlib.sha256(content).hexdigest() != item.sha256:
        raise Conflict("ARCHIVE_FILE_TAMPERED", "归档影像文件与登记的校验值不一致，可能已被篡改")
    return content
