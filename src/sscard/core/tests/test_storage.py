"""The encrypting storage: sealed on disk, clear through the storage, segments that cannot be cut off,
reordered or changed, seeking, the key id in the header, and the formats stored before it."""

import base64
import io
import os
import struct

import pytest
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages

from sscard.core import crypto
from sscard.core.storage import HEADER, MAGIC, SEGMENT, TAG, EncryptedFileError, EncryptedStorage
from sscard.testing.factories import jpeg_bytes

K1 = base64.b64encode(b"1" * 32).decode()


def _raw(name) -> bytes:
    with default_storage.inner.open(name, "rb") as fh:
        return fh.read()


def _put_raw(name, content: bytes) -> None:
    if default_storage.inner.exists(name):
        default_storage.inner.delete(name)
    default_storage.inner.save(name, ContentFile(content))


def test_the_default_storage_is_the_wrapper_over_the_filesystem():
    assert isinstance(storages["default"], EncryptedStorage)
    assert type(default_storage.inner).__name__ == "FileSystemStorage"


def test_a_file_is_sealed_on_disk_and_clear_through_the_storage():
    photo = jpeg_bytes()
    name = default_storage.save("t/photo.jpg", ContentFile(photo))
    on_disk = _raw(name)
    assert on_disk.startswith(MAGIC) and not on_disk.startswith(b"\xff\xd8") and photo[:64] not in on_disk
    assert on_disk[5:21].rstrip(b"\0") == b"k0" and default_storage.key_id(name) == "k0"
    with default_storage.open(name) as fh:
        assert fh.read() == photo
    assert default_storage.size(name) == len(photo)
    with pytest.raises(NotImplementedError):
        default_storage.path(name)
    with pytest.raises(ValueError):
        default_storage.open(name, "wb")


@pytest.mark.parametrize("size", [0, 1, SEGMENT - 1, SEGMENT, SEGMENT + 1, 3 * SEGMENT + 17])
def test_sizes_at_the_segment_edges_round_trip_and_seek(size):
    plain = os.urandom(size)
    name = default_storage.save("t/blob.bin", ContentFile(plain))
    assert len(_raw(name)) == HEADER + max(1, -(-size // SEGMENT)) * TAG + size
    with default_storage.open(name) as fh:
        assert fh.read() == plain
        fh.seek(size // 2)
        assert fh.read(SEGMENT + 5) == plain[size // 2:size // 2 + SEGMENT + 5]
        fh.seek(0)
        assert b"".join(fh.chunks(1000)) == plain
    assert default_storage.size(name) == size


def _segments(blob: bytes) -> list[bytes]:
    body = blob[HEADER:]
    return [body[i:i + SEGMENT + TAG] for i in range(0, len(body), SEGMENT + TAG)]


def _opens(content: bytes) -> bytes:
    _put_raw("t/forged.bin", content)
    with default_storage.open("t/forged.bin") as fh:
        return fh.read()


def test_a_cut_off_reordered_or_changed_file_does_not_open():
    plain = os.urandom(3 * SEGMENT + 10)
    name = default_storage.save("t/big.bin", ContentFile(plain))
    blob = _raw(name)
    head, segs = blob[:HEADER], _segments(blob)
    assert len(segs) == 4
    flipped = bytearray(blob)
    flipped[HEADER + SEGMENT + 7] ^= 1
    other = _raw(default_storage.save("t/other.bin", ContentFile(plain)))
    forgeries = {
        "last segment dropped": head + b"".join(segs[:3]),
        "cut inside a segment": blob[:-5],
        "two segments swapped": head + segs[1] + segs[0] + segs[2] + segs[3],
        "one bit changed": bytes(flipped),
        "header of another file": other[:HEADER] + blob[HEADER:],
        "key id changed": blob[:5] + crypto.padded_key_id("k9") + blob[21:],
        "header only": head,
    }
    for what, forged in forgeries.items():
        with pytest.raises(EncryptedFileError):
            _opens(forged)
            pytest.fail(what)


def test_a_file_under_a_key_that_left_the_ring_names_the_problem(settings):
    name = default_storage.save("t/a.bin", ContentFile(b"hello"))
    settings.FIELD_KEYS, settings.FIELD_ACTIVE_KEY, settings.FIELD_ENCRYPTION_KEY = f"k1:{K1}", "k1", ""
    with pytest.raises(EncryptedFileError, match="k0"):
        default_storage.open(name)


def test_new_files_take_the_active_key_and_old_ones_still_read(settings):
    old = default_storage.save("t/old.bin", ContentFile(b"old"))
    settings.FIELD_KEYS, settings.FIELD_ACTIVE_KEY = f"k1:{K1}", "k1"
    new = default_storage.save("t/new.bin", ContentFile(b"new"))
    assert (default_storage.key_id(old), default_storage.key_id(new)) == ("k0", "k1")
    assert default_storage.open(old).read() == b"old" and default_storage.open(new).read() == b"new"


def test_files_stored_before_the_wrapper_still_read(settings):
    # a plain image (the archive wrote them as received), and the batches' own framings (SSCB1, SSCS1)
    photo = jpeg_bytes()
    _put_raw("archive/old.jpg", photo)
    assert default_storage.open("archive/old.jpg").read() == photo
    assert default_storage.key_id("archive/old.jpg") is None
    key = base64.b64decode(settings.FIELD_ENCRYPTION_KEY)
    nonce = os.urandom(12)
    _put_raw("batches/B1/rows.json.enc", b"SSCB1" + nonce + AESGCM(key).encrypt(nonce, b'{"a":1}', b"SSCB1"))
    assert default_storage.open("batches/B1/rows.json.enc").read() == b'{"a":1}'
    chunks, plain = [], [b"x" * 10, b"y" * 5]
    for i, piece in enumerate(plain):
        n = os.urandom(12)
        sealed = n + AESGCM(key).encrypt(n, piece, b"SSCS1" + struct.pack(">Q?", i, i == len(plain) - 1))
        chunks.append(struct.pack(">I", len(sealed)) + sealed)
    _put_raw("batches/B1/source.xlsx.enc", b"SSCS1" + b"".join(chunks))
    assert default_storage.open("batches/B1/source.xlsx.enc").read() == b"".join(plain)
    assert default_storage.key_id("batches/B1/source.xlsx.enc") == "legacy:k0"
    # once every file is sealed, a plain one is refused
    settings.SSCARD_STORAGE_READ_PLAIN = False
    with pytest.raises(EncryptedFileError, match="unsealed"):
        default_storage.open("archive/old.jpg")


def test_an_upload_streams_through_without_a_whole_copy_in_memory():
    class Source(io.RawIOBase):
        """Refuses to be read whole: only segment-sized reads."""

        def __init__(self, size):
            self.left = size

        def readable(self):
            return True

        def read(self, n=-1):
            assert 0 < n <= SEGMENT, n
            piece = b"z" * min(n, self.left)
            self.left -= len(piece)
            return piece

        def seek(self, *a):
            return 0

    name = default_storage.save("t/stream.bin", File(Source(5 * SEGMENT + 3), name="stream.bin"))
    assert default_storage.size(name) == 5 * SEGMENT + 3


def test_the_system_check_refuses_a_bad_ring_or_a_storage_that_does_not_encrypt(settings):
    from sscard.core.checks import encryption_at_rest

    assert encryption_at_rest() == []
    settings.FIELD_KEYS, settings.FIELD_ACTIVE_KEY = f"k1:{K1}", "nope"
    assert [p.id for p in encryption_at_rest()] == ["sscard.E101"]
    settings.FIELD_KEYS, settings.FIELD_ACTIVE_KEY = "", ""
    settings.STORAGES = {**settings.STORAGES,
                         "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    assert [p.id for p in encryption_at_rest()] == ["sscard.E102"]
