"""Vocabulary of the archive: what an archived image or paper record is evidence of."""

from django.db import models


class EvidenceKind(models.TextChoices):
    CREDENTIAL = "credential", "证件影像"
    SCENE = "scene", "现场照片"
    SIGNATURE = "signature", "签名影像"
    PHOTO = "photo", "社保卡照片"
    SIGNED_FORM = "signed_form", "签字业务表单影像"
    UPLOADED_DOCUMENT = "uploaded_document", "上传材料"
    INTRO_LETTER = "intro_letter", "单位介绍信影像"


class PaperKind(models.TextChoices):
    PAPER_ORIGINALS = "paper_originals", "纸质原件存档"
    SIGNED_FORM = "signed_form", "签字业务表单（纸质）"
    INTRO_LETTER = "intro_letter", "单位介绍信（纸质）"


class ImageFormat(models.TextChoices):
    JPEG = "JPEG", "JPEG 图片"
    PNG = "PNG", "PNG 图片"
