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

    subject_type = models.CharField("业务对象类型", max_length=40, help_text="如 service_request（业务）、batch（批量）")
    subject_id = models.CharField("业务对象编号", max_length=40)
    person_id = models.BigIntegerField("人员编号", null=True, blank=True, db_index=True)
    kind = models.CharField("影像类别", max_length=24, choices=EvidenceKind.choices)
    file = models.FileField("影像文件", upload_to=archive_upload_to, max_length=200)
    sha256 = models.CharField("文件 SHA-256 摘要", max_length=64, db_index=True,
                              help_text="所存文件字节的摘要，用于核验文件未被篡改")
    original_sha256 = models.CharField("原始文件 SHA-256 摘要", max_length=64,
                                       help_text="收到时（加盖核对水印前）的文件字节摘要")
    size_bytes = models.PositiveIntegerField("文件大小（字节）")
    content_type = models.CharField("文件类型", max_length=40, help_text="image/jpeg 或 image/png")
    width = models.PositiveIntegerField("宽度（像素）")
    height = models.PositiveIntegerField("高度（像素）")
    actor_kind = models.CharField("操作者类别", max_length=10,
                                  help_text="staff 工作人员、kiosk 自助一体机、citizen APP用户、system 系统")
    actor_id = models.BigIntegerField("操作者编号", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=100, help_text="办理时的名称副本，人员删除后仍保留")
    actor_role = models.CharField("操作人角色", max_length=20)
    outlet_id = models.BigIntegerField("网点编号", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "影像档案"
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="archive_item_subject_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.subject_type}#{self.subject_id}"


class PaperArchiveRecord(models.Model):
    """Where the paper originals or the signed paper form of a subject are filed (e.g. 渝中区2026-档-000123).

    Used by outlets without a digital archive or a signature pad: the reference is required (1-100 chars).
    """

    subject_type = models.CharField("业务对象类型", max_length=40, help_text="如 service_request（业务）、batch（批量）")
    subject_id = models.CharField("业务对象编号", max_length=40)
    person_id = models.BigIntegerField("人员编号", null=True, blank=True, db_index=True)
    kind = models.CharField("存档类别", max_length=24, choices=PaperKind.choices)
    reference = models.CharField("纸质档案编号", max_length=100,
                                 help_text="纸质原件或签字表单的存放编号，如 渝中区2026-档-000123")
    actor_kind = models.CharField("操作者类别", max_length=10,
                                  help_text="staff 工作人员、kiosk 自助一体机、citizen APP用户、system 系统")
    actor_id = models.BigIntegerField("操作者编号", null=True, blank=True)
    actor_name = models.CharField("操作人", max_length=100, help_text="办理时的名称副本，人员删除后仍保留")
    actor_role = models.CharField("操作人角色", max_length=20)
    outlet_id = models.BigIntegerField("网点编号", null=True, blank=True)
    created_at = models.DateTimeField("登记时间")

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = verbose_name_plural = "纸质档案登记"
        indexes = [models.Index(fields=["subject_type", "subject_id"], name="archive_paper_subject_idx")]

    def __str__(self):
        return f"{self.get_kind_display()} {self.reference}"
