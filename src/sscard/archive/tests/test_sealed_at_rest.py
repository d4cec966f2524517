"""Archived images are sealed at rest (``core.storage.EncryptedStorage``): the stored bytes hold no JPEG and
no ID number, the API and the review page still show them, and a changed, cut-off or foreign-key file is
a clear 409 (ARCHIVE_FILE_TAMPERED), never a 5xx."""

import base64
import os

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse

from sscard.archive.models import ArchiveItem
from sscard.testing import factories as f
from sscard.testing.desk import app_application, apply_body, req_of

pytestmark = pytest.mark.django_db


def _raw(name) -> bytes:
    with default_storage.inner.open(name, "rb") as fh:
        return fh.read()


def _replace_raw(name, content: bytes) -> None:
    default_storage.inner.delete(name)
    default_storage.inner.save(name, ContentFile(content))


@pytest.fixture
def applied(citizen_api, adult, django_capture_on_commit_callbacks):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    with django_capture_on_commit_callbacks(execute=True):  # images are written to storage on commit
        req = req_of(citizen_api.post("/applications", body))
    return req, adult


def test_stored_images_hold_no_jpeg_and_no_id_number_and_the_api_shows_them(applied, reviewer_api):
    req, person = applied
    items = list(ArchiveItem.objects.filter(subject_id=req.request_no))
    assert len(items) == 2
    for item in items:
        raw = _raw(item.file.name)
        assert raw.startswith(b"SSCF\x01") and b"\xff\xd8\xff" not in raw[:64] and b"JFIF" not in raw
        assert person.id_number.encode() not in raw and person.id_number not in item.file.name
        image = reviewer_api.get(f"/requests/{req.request_no}/images/{item.pk}")
        assert image.status_code == 200 and image.content[:2] == b"\xff\xd8"


@pytest.mark.parametrize("forge", ["bit", "cut", "foreign_key", "plain_swap"])
def test_a_tampered_image_is_a_409_through_the_api_and_the_page(applied, reviewer_api, client, settings,
                                                                 forge):
    req, _ = applied
    item = ArchiveItem.objects.get(subject_id=req.request_no, kind="uploaded_document")
    raw = bytearray(_raw(item.file.name))
    if forge == "bit":
        raw[-20] ^= 0x01
    elif forge == "cut":
        raw = raw[:-40]
    elif forge == "foreign_key":  # sealed by someone with another key, under a key id the ring lacks
        other = base64.b64encode(os.urandom(32)).decode()
        settings.FIELD_KEYS, settings.FIELD_ACTIVE_KEY = f"zz:{other}", "zz"
        raw = _raw(default_storage.save("t/x.jpg", ContentFile(f.jpeg_bytes())))
        settings.FIELD_KEYS, settings.FIELD_ACTIVE_KEY = "", ""
    else:  # a plain image put in its place, once plain files are refused
        settings.SSCARD_STORAGE_READ_PLAIN = False
        raw = f.jpeg_bytes()
    _replace_raw(item.file.name, bytes(raw))
    resp = reviewer_api.get(f"/requests/{req.request_no}/images/{item.pk}")
    assert resp.status_code == 409 and resp.json()["code"] == "ARCHIVE_FILE_TAMPERED", resp.content[:300]
    reviewer = f.make_staff("reviewer")
    client.force_login(reviewer.user)
    page = client.get(reverse("web:review_image", args=[req.request_no, item.pk]))
    assert page.status_code == 409


def test_the_review_page_shows_a_sealed_image(client, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        case = app_application(f.make_person(name="王小明"))
    client.force_login(f.make_staff("reviewer").user)
    photo = ArchiveItem.objects.get(subject_id=case.request_no, kind="photo")
    assert _raw(photo.file.name).startswith(b"SSCF\x01")
    resp = client.get(reverse("web:review_image", args=[case.request_no, photo.pk]))
    assert resp.status_code == 200 and resp.content[:2] == b"\xff\xd8"
