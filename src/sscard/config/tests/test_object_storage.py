"""With S3-compatible object storage (a local moto server), evidence images and batch files go to the
bucket, nothing to the local media folder, and read back through the application."""

import base64
import os

import pytest
from django.core.management import call_command
from django.db import transaction

from sscard.archive.selectors import archive_item_content
from sscard.archive.services import archive_store_image
from sscard.staff.actors import Actor
from sscard.testing import object_store
from sscard.testing.factories import jpeg_bytes

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def s3(settings, tmp_path):
    with object_store.s3_server() as endpoint:
        settings.MEDIA_ROOT = str(tmp_path / "media")
        settings.STORAGES = object_store.storages_setting(endpoint)
        yield endpoint


def test_archived_images_live_in_the_bucket_sealed_and_read_back(s3, tmp_path):
    content = jpeg_bytes()
    with transaction.atomic():
        item = archive_store_image(actor=Actor.system("test"), subject_type="service_request",
                                   subject_id="R1", kind="photo", content=content)
    keys = [o["Key"] for o in object_store.client(s3).list_objects_v2(Bucket="sscard-test").get("Contents", [])]
    assert item.file.name in keys
    assert not (tmp_path / "media").exists()
    obj = object_store.client(s3).get_object(Bucket="sscard-test", Key=item.file.name)
    in_bucket = obj["Body"].read()
    # sealed in the bucket (core.storage.EncryptedStorage): no JPEG inside, no hint of it either
    assert in_bucket.startswith(b"SSCF\x01") and content[100:140] not in in_bucket
    assert obj["ContentType"] == "application/octet-stream"
    assert archive_item_content(item) == content


def test_rotate_keys_reseals_the_bucket_and_the_old_key_can_go(s3, settings):
    content = jpeg_bytes()
    with transaction.atomic():
        item = archive_store_image(actor=Actor.system("test"), subject_type="service_request",
                                   subject_id="R1", kind="photo", content=content)
    new_key = base64.b64encode(os.urandom(32)).decode()
    settings.FIELD_KEYS, settings.FIELD_ACTIVE_KEY = f"k1:{new_key}", "k1"
    call_command("rotate_keys", "--only", "files")
    head = object_store.client(s3).get_object(Bucket="sscard-test", Key=item.file.name)["Body"].read()[:21]
    assert head == b"SSCF\x01" + b"k1".ljust(16, b"\0")
    settings.FIELD_ENCRYPTION_KEY = ""  # the old key leaves the ring
    assert archive_item_content(item) == content
