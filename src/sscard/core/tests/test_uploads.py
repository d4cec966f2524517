"""Uploads are sealed as they arrive, read in clear, and are moved into the encrypting storage as they are
(not encrypted twice)."""

import os

from django.core.files.storage import default_storage

from sscard.core.storage import MAGIC, SEGMENT
from sscard.core.uploads import SealingUploadHandler
from sscard.testing.factories import jpeg_bytes


def _upload(content: bytes, piece: int = 10_000):
    handler = SealingUploadHandler()
    handler.new_file("file", "scans.zip", "application/zip", len(content))
    for start in range(0, len(content), piece):
        handler.receive_data_chunk(content[start:start + piece], start)
    return handler.file_complete(len(content))


def test_an_upload_is_sealed_on_disk_from_its_first_byte_and_reads_in_clear():
    content = jpeg_bytes() + os.urandom(3 * SEGMENT)
    upload = _upload(content)
    with open(upload.temporary_file_path(), "rb") as fh:
        on_disk = fh.read()
    assert on_disk.startswith(MAGIC) and content[:64] not in on_disk
    assert (upload.size, upload.read()) == (len(content), content)
    upload.seek(5)
    assert upload.read(10) == content[5:15]
    assert b"".join(upload.chunks(4096)) == content
    assert upload.sha256 == __import__("hashlib").sha256(content).hexdigest()
    upload.close()


def test_a_sealed_upload_is_moved_into_storage_as_it_is():
    content = os.urandom(2 * SEGMENT + 1)
    upload = _upload(content)
    path = upload.temporary_file_path()
    with open(path, "rb") as fh:
        sealed = fh.read()
    name = default_storage.save("batches/B1/scans.zip", upload)
    assert not os.path.exists(path)  # moved, not copied and encrypted again
    with default_storage.inner.open(name, "rb") as fh:
        assert fh.read() == sealed
    assert default_storage.open(name).read() == content
    upload.close()  # the moved temporary file is not an error


def test_an_interrupted_upload_leaves_no_file():
    handler = SealingUploadHandler()
    handler.new_file("file", "scans.zip", "application/zip", 100)
    handler.receive_data_chunk(b"x" * 100, 0)
    path = handler.file.temporary_file_path()
    handler.upload_interrupted()
    assert not os.path.exists(path)
