import datetime as dt
import hashlib
import io
import re
from pathlib import Path

import pytest
from django.conf import settings as django_settings
from django.core.files.storage import default_storage
from django.db import transaction
from PIL import Image, ImageChops, ImageStat

from sscard.archive.models import ArchiveItem, PaperArchiveRecord
from sscard.archive.selectors import archive_item_content, archive_items_for, paper_records_for
from sscard.archive.services import archive_record_paper, archive_store_image
from sscard.archive.tests.images import make_image, png_claiming
from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.core.errors import Conflict, InvalidInput, NotFound
from sscard.staff.actors import Actor
from sscard.testing.audit import audit_log_verified

pytestmark = pytest.mark.django_db

CLERK = Actor(kind="staff", role="clerk", name="窗口甲", channel="window", outlet_id=7, staff_id=3)


def _stored_files() -> list[Path]:
    root = Path(django_settings.MEDIA_ROOT)
    return [p for p in root.rglob("*") if p.is_file()] if root.exists() else []


def _store(content, **kwargs):
    params = dict(actor=CLERK, subject_type="service_request", subject_id=42, kind="credential",
                  content=content, person_id=9)
    params.update(kwargs)
    return archive_store_image(**params)


@pytest.mark.parametrize("fmt,ext,content_type", [("JPEG", "jpg", "image/jpeg"), ("PNG", "png", "image/png")])
def test_valid_image_stored_with_digest_size_and_actor(fmt, ext, content_type,
                                                       django_capture_on_commit_callbacks):
    clock.freeze(dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.timezone.utc))
    content = make_image(fmt, size=(160, 120), noise=True)
    with django_capture_on_commit_callbacks(execute=True):
        item = _store(content, kind="uploaded_document")  # stored as received (no watermark)
    item.refresh_from_db()
    assert item.sha256 == item.original_sha256 == hashlib.sha256(content).hexdigest()
    assert (item.size_bytes, item.content_type) == (len(content), content_type)
    assert (item.width, item.height) == (160, 120)
    assert (item.actor_kind, item.actor_id, item.actor_name, item.actor_role, item.outlet_id) == (
        "staff", 3, "窗口甲", "clerk", 7)
    assert (item.subject_type, item.subject_id, item.person_id) == ("service_request", "42", 9)
    assert item.created_at == clock.now()
    assert re.fullmatch(rf"archive/2026/03/01/[0-9a-f]{{32}}\.{ext}", item.file.name)
    assert default_storage.open(item.file.name).read() == content
    assert archive_item_content(item) == content
    assert _stored_files() == [Path(django_settings.MEDIA_ROOT) / item.file.name]


def test_audit_event_written_without_image_bytes(django_capture_on_commit_callbacks):
    content = make_image("PNG")
    with django_capture_on_commit_callbacks(execute=True):
        item = _store(content, kind="signature")
    event = AuditEvent.objects.get(event_type="EVIDENCE_ARCHIVED")
    assert (event.subject_type, event.subject_id, event.person_id, event.actor_name, event.channel) == (
        "service_request", "42", 9, "窗口甲", "window")
    assert event.data == {"archive_item_id": item.pk, "kind": "signature", "sha256": item.sha256,
                          "original_sha256": item.sha256, "watermarked": False,
                          "size": len(content), "content_type": "image/png", "width": 120, "height": 90}
    assert audit_log_verified()[0] is True


@pytest.mark.parametrize("kind", ["credential", "scene", "intro_letter"])
@pytest.mark.parametrize("fmt", ["JPEG", "PNG"])
def test_credential_copies_are_stored_with_the_certified_copy_watermark(kind, fmt,
                                                                         django_capture_on_commit_callbacks):
    content = make_image(fmt, size=(640, 400))
    with django_capture_on_commit_callbacks(execute=True):
        item = _store(content, kind=kind)
    item.refresh_from_db()
    stored = default_storage.open(item.file.name).read()
    assert stored != content
    with Image.open(io.BytesIO(stored)) as image:
        assert (image.format, image.size) == (fmt, (640, 400))
        marked = image.convert("RGB")
    with Image.open(io.BytesIO(content)) as image:
        plain = image.convert("RGB")
    # The statement runs across the whole copy: every band of it, top to bottom, is drawn on.
    for top in range(0, 400, 100):
        band = (0, top, 640, top + 100)
        assert ImageStat.Stat(ImageChops.difference(marked.crop(band), plain.crop(band))).mean[0] > 3
    assert (item.width, item.height, item.size_bytes) == (640, 400, len(stored))
    assert item.sha256 == hashlib.sha256(stored).hexdigest()  # the stored bytes: the tamper check holds
    assert item.original_sha256 == hashlib.sha256(content).hexdigest()  # the bytes as received
    assert archive_item_content(item) == stored
    event = AuditEvent.objects.get(event_type="EVIDENCE_ARCHIVED")
    assert event.data["watermarked"] is True and event.data["original_sha256"] == item.original_sha256


@pytest.mark.parametrize("kind", ["photo", "signature", "signed_form", "uploaded_document"])
def test_photos_signatures_forms_and_uploads_are_stored_unchanged(kind, django_capture_on_commit_callbacks):
    content = make_image("JPEG", size=(358, 441))
    with django_capture_on_commit_callbacks(execute=True):
        item = _store(content, kind=kind)
    item.refresh_from_db()
    assert default_storage.open(item.file.name).read() == content
    assert item.sha256 == item.original_sha256 == hashlib.sha256(content).hexdigest()


@pytest.mark.parametrize("content,code", [
    (make_image("GIF"), "IMAGE_FORMAT"),
    (make_image("BMP"), "IMAGE_FORMAT"),
    (png_claiming(50000, 50000), "IMAGE_PIXELS"),
    (make_image("JPEG", size=(200, 200), noise=True)[:3000], "IMAGE_INVALID"),
    (bytes(range(256)) * 20, "IMAGE_INVALID"),
    (b"", "IMAGE_INVALID"),
    (b"\xff\xd8" + b"\x00" * (5 * 1024 * 1024), "IMAGE_TOO_LARGE"),
])
def test_refused_images_store_nothing(content, code, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(InvalidInput) as info:
            _store(content)
    assert info.value.code == code
    assert callbacks == []
    assert ArchiveItem.objects.count() == 0
    assert AuditEvent.objects.count() == 0
    assert _stored_files() == []


def test_rollback_of_outer_transaction_leaves_no_file(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError):
            with transaction.atomic():
                _store(make_image("JPEG"))
                assert ArchiveItem.objects.count() == 1
                raise RuntimeError("a later rule refused the business")
    assert callbacks == []
    assert ArchiveItem.objects.count() == 0
    assert _stored_files() == []


def test_file_written_only_on_commit(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        item = _store(make_image("JPEG"))
        assert _stored_files() == []
    assert len(callbacks) == 1
    callbacks[0]()
    assert default_storage.exists(item.file.name)


def test_unknown_kind_and_subject_refused():
    with pytest.raises(InvalidInput) as info:
        _store(make_image("PNG"), kind="selfie")
    assert info.value.code == "ARCHIVE_KIND"
    with pytest.raises(InvalidInput) as info:
        _store(make_image("PNG"), subject_id="  ")
    assert info.value.code == "ARCHIVE_SUBJECT"


def test_content_check_detects_missing_and_tampered_file(django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        item = _store(make_image("PNG"))
    path = Path(django_settings.MEDIA_ROOT) / item.file.name
    path.write_bytes(make_image("PNG", size=(64, 64)))
    with pytest.raises(Conflict) as info:
        archive_item_content(item)
    assert info.value.code == "ARCHIVE_FILE_TAMPERED"
    path.unlink()
    with pytest.raises(NotFound) as info:
        archive_item_content(item)
    assert info.value.code == "ARCHIVE_FILE_MISSING"


def test_selectors_return_one_subjects_rows_in_order(django_capture_on_commit_callbacks):
    clock.freeze(dt.datetime(2026, 3, 1, 10, 0, tzinfo=dt.timezone.utc))
    with django_capture_on_commit_callbacks(execute=True):
        first = _store(make_image("PNG"), kind="scene")
        clock.advance(dt.timedelta(minutes=1))
        second = _store(make_image("JPEG"), kind="signature")
        _store(make_image("JPEG"), subject_id=43)
    assert list(archive_items_for("service_request", 42)) == [first, second]
    assert list(archive_items_for("service_request", "43").values_list("subject_id", flat=True)) == ["43"]
    assert list(archive_items_for("card", 42)) == []


def test_paper_record_created_and_audited():
    record = archive_record_paper(actor=CLERK, subject_type="service_request", subject_id=42,
                                  kind="paper_originals", reference="  渝中区2026-档-000123 ", person_id=9)
    record.refresh_from_db()
    assert (record.reference, record.kind, record.subject_id, record.actor_name, record.outlet_id) == (
        "渝中区2026-档-000123", "paper_originals", "42", "窗口甲", 7)
    event = AuditEvent.objects.get(event_type="PAPER_ARCHIVE_RECORDED")
    assert event.data == {"paper_record_id": record.pk, "kind": "paper_originals",
                          "reference": "渝中区2026-档-000123"}
    assert event.person_id == 9
    assert list(paper_records_for("service_request", 42)) == [record]


@pytest.mark.parametrize("reference,code", [
    ("", "PAPER_REFERENCE_REQUIRED"), ("   ", "PAPER_REFERENCE_REQUIRED"), (None, "PAPER_REFERENCE_REQUIRED"),
    ("档" * 101, "PAPER_REFERENCE_TOO_LONG"), ("A\nB", "PAPER_REFERENCE_INVALID"),
])
def test_paper_record_needs_a_valid_reference(reference, code):
    with pytest.raises(InvalidInput) as info:
        archive_record_paper(actor=CLERK, subject_type="service_request", subject_id=42, kind="signed_form",
                             reference=reference)
    assert info.value.code == code
    assert PaperArchiveRecord.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_paper_reference_of_100_chars_accepted_and_kind_checked():
    record = archive_record_paper(actor=CLERK, subject_type="service_request", subject_id=1,
                                  kind="signed_form", reference="档" * 100)
    assert len(record.reference) == 100
    with pytest.raises(InvalidInput) as info:
        archive_record_paper(actor=CLERK, subject_type="service_request", subject_id=1, kind="scene",
                             reference="X-1")
    assert info.value.code == "ARCHIVE_KIND"


def test_storage_failure_after_commit_is_logged_and_reported_missing(django_capture_on_commit_callbacks,
                                                                     monkeypatch, caplog):
    def broken_save(name, content, max_length=None):
        raise OSError("disk full")

    monkeypatch.setattr(default_storage, "save", broken_save)
    with django_capture_on_commit_callbacks(execute=True):
        item = _store(make_image("PNG"))
    assert ArchiveItem.objects.filter(pk=item.pk).exists()
    assert f"archive item {item.pk}" in caplog.text
    with pytest.raises(NotFound):
        archive_item_content(item)
