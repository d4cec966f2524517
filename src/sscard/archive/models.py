"""Archived evidence images and paper-archive references.

Both are append-only in spirit: there is no update service, only ``archive_store_image`` and
``archive_record_paper`` create rows.  Rows copy the actor's name and role (they survive staff deletion)
and never hold an ID number: the stored file path is ``archive/<date>/<uuid>.<ext>``.
"""

import uuid

from django.db import models

from sscard.archive.choices import EvidenceKind, PaperKind
from sscard.core import clock

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


def archive_upload_to(instance, filename: str) -> str:
    """``archive/YYYY/MM/DD/<uuid4 hex>.<ext>``: the date and a random name, never personal data."""
    ext = _EXTENSIONS.get(getattr(instance, "content_type", ""), "bin")
    day = clock.today()
    return f"archive/{day:%Y/%m/%d}/{uuid.uuid4().hex}.{ext}"


class ArchiveItem(models.Model):
    """One archived image (credential, scene photo, signature, ...) attached to a subject.

    The file is validated (JPEG/PNG by content, size and pixel limits) before it is accepted; ``sha256``
    and ``size_bytes`` (and ``width`` / ``height``) describe exactly the stored bytes, so the file can be
    checked for tampering.  ``original_sha256`` is the digest of the bytes as received: the same as
    ``sha256`` unless the stored copy carries the certified-copy watermark (``archive.watermark``:
    credential, scene and introduction-letter images), which changes the bytes but not the size.
    """

    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=40)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField(max_length=24, choices=EvidenceKind.choices)
    file = models.FileField(upload_to=archive_upload_to, max_length=200)
    sha256 = models.CharField(max_length=64, db_index=True)  # of the stored bytes
    original_sha256 = models.CharField(max_length=64)  # of the bytes received (before any watermark)
    size_bytes = models.PositiveIntegerField()
    content_type = models.CharField(max_length=40)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    actor_kind = models.CharField(max_length=10)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=100)
    actor_role = models.CharField(max_length=20)
    outlet_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="archive_item_subject_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_type}#{self.subject_id}"


class PaperArchiveRecord(models.Model):
    """Where the paper originals or the signed paper form of a subject are filed (e.g. 渝中区2026-档-000123).

    Used by outlets without a digital archive or a signature pad: the reference is required (1-100 chars).
    """

    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=40)
    person_id = models.BigIntegerField(null=True, blank=True, db_index=True)
    kind = models.CharField(max_length=24, choices=PaperKind.choices)
    reference = models.CharField(max_length=100)
    actor_kind = models.CharField(max_length=10)
    actor_id = models.BigIntegerField(null=True, blank=True)
    actor_name = models.CharField(max_length=100)
    actor_role = models.CharField(max_length=20)
    outlet_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="archive_paper_subject_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"
