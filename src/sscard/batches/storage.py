"""Where a batch's files live: the encrypted source (sheet or keyed rows), the scans zip and the parts
the background validation works on, through Django's storage API (``default_storage``: the filesystem,
or S3 on several nodes).  Names hold the batch number only, never personal data.

The submission streams the uploads to storage without holding either whole in memory: the sheet is
encrypted chunk by chunk on its way (``save_stream_encrypted``, each 1 MB chunk sealed with AES-GCM under
the field key, its index and a last-chunk flag in the associated data, so chunks cannot be dropped,
reordered or cut off), and the scans zip is kept as received, like every other evidence image
(``archive``), and read member by member.  The task that checks the files writes one encrypted part per
range of rows (``part_name``: its rows, their duplicates in the file and their slice of the zip's
directory), so each chunk task reads only its own part.
"""

import hashlib
import json
import os
import shutil
import struct
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Iterator

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from sscard.core import crypto

CHUNK = 1024 * 1024
_STREAM_MAGIC = b"SSCS1"
_CHUNK_HEAD = struct.Struct(">I")


def source_name(batch_no: str, fmt: str) -> str:
    return f"batches/{batch_no}/source.{fmt}.enc"


def scans_name(batch_no: str) -> str:
    return f"batches/{batch_no}/scans.zip"


def parsed_name(batch_no: str) -> str:
    """The sheet's rows as ``batch_submit`` read them (encrypted JSON), so validation reads no xlsx."""
    return f"batches/{batch_no}/rows.json.enc"


def scans_index_name(batch_no: str) -> str:
    """The scans zip's checked directory (encrypted JSON: member names carry ID numbers)."""
    return f"batches/{batch_no}/scans-index.json.enc"


def part_name(batch_no: str, token: str, part_no: int) -> str:
    """One part of a batch's rows (encrypted JSON), written by the structural checks; ``token`` is that
    run's, so a second run never overwrites a part a chunk task is reading."""
    return f"batches/{batch_no}/parts/{token}-{part_no:04d}.json.enc"


def parsed_rows(kind: str, rows) -> bytes:
    """Rows (``line_no``, ``values``, ``numeric``) as stored under ``parsed_name``."""
    return compact_json({"kind": kind, "rows": [[r.line_no, list(r.values), sorted(r.numeric)] for r in rows]})


def compact_json(data) -> bytes:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8")


def read_encrypted_json(name: str):
    return json.loads(read_encrypted(name).decode("utf-8"))


def exists(name: str) -> bool:
    return bool(name) and default_storage.exists(name)


def save_encrypted(name: str, content: bytes) -> str:
    if default_storage.exists(name):  # a resumed worker rewrites the same file
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(crypto.encrypt_bytes(content)))


def read_encrypted(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        head = fh.read(len(_STREAM_MAGIC))
        fh.seek(0)
        if head == _STREAM_MAGIC:
            return b"".join(_decrypted_chunks(fh))
        return crypto.decrypt_bytes(fh.read())


# -- streams ---------------------------------------------------------------------------------------

def _aad(index: int, last: bool) -> bytes:
    return _STREAM_MAGIC + struct.pack(">Q?", index, last)


def _encrypted_chunks(fh: BinaryIO, digest) -> Iterator[bytes]:
    """``fh`` encrypted chunk by chunk (magic, then length-prefixed nonce + ciphertext), hashing the plain
    bytes into ``digest``; one chunk is read ahead to know which one is the last."""
    aead = crypto.field_aead()
    yield _STREAM_MAGIC
    index, current = 0, fh.read(CHUNK)
    while True:
        following = fh.read(CHUNK) if current else b""
        digest.update(current)
        nonce = os.urandom(12)
        sealed = nonce + aead.encrypt(nonce, current, _aad(index, not following))
        yield _CHUNK_HEAD.pack(len(sealed)) + sealed
        if not following:
            return
        index, current = index + 1, following


def _decrypted_chunks(fh: BinaryIO) -> Iterator[bytes]:
    aead = crypto.field_aead()
    if fh.read(len(_STREAM_MAGIC)) != _STREAM_MAGIC:
        raise ValueError("not an encrypted stream")
    index = 0
    while True:
        head = fh.read(_CHUNK_HEAD.size)
        if len(head) != _CHUNK_HEAD.size:
            raise ValueError("encrypted stream cut off")
        sealed = fh.read(_CHUNK_HEAD.unpack(head)[0])
        nxt = fh.read(1)
        plain = aead.decrypt(sealed[:12], sealed[12:], _aad(index, not nxt))
        yield plain
        if not nxt:
            return
        fh.seek(-1, os.SEEK_CUR)
        index += 1


def save_stream_encrypted(name: str, source: File) -> str:
    """Encrypt ``source`` (an upload, or any Django ``File``) into storage chunk by chunk; returns the
    SHA-256 of the plain content.  Encrypted first to a local temporary file, then handed to the storage
    (which streams it on: the filesystem copies it, S3 uploads it in parts)."""
    digest = hashlib.sha256()
    source.seek(0)
    with tempfile.TemporaryFile() as tmp:
        for piece in _encrypted_chunks(source, digest):
            tmp.write(piece)
        tmp.seek(0)
        if default_storage.exists(name):
            default_storage.delete(name)
        default_storage.save(name, File(tmp, name=os.path.basename(name)))
    return digest.hexdigest()


@contextmanager
def local_decrypted(name: str):
    """A local temporary file holding the plain content of the encrypted file ``name`` (either format)."""
    with tempfile.NamedTemporaryFile(suffix=Path(name).suffixes[0] if Path(name).suffixes else "") as tmp:
        with default_storage.open(name, "rb") as fh:
            head = fh.read(len(_STREAM_MAGIC))
            fh.seek(0)
            if head == _STREAM_MAGIC:
                for plain in _decrypted_chunks(fh):
                    tmp.write(plain)
            else:
                tmp.write(crypto.decrypt_bytes(fh.read()))
        tmp.flush()
        yield Path(tmp.name)


def upload_sha256(upload: File) -> str:
    """SHA-256 of an upload: taken on the way in by ``uploads.HashingUploadHandler``, else read once here
    in chunks."""
    known = getattr(upload, "sha256", None)
    if known:
        return known
    digest = hashlib.sha256()
    upload.seek(0)
    for chunk in upload.chunks(CHUNK):
        digest.update(chunk)
    upload.seek(0)
    return digest.hexdigest()


def save_upload(name: str, upload: File) -> str:
    """Store an upload as received (the storage streams it: a temporary upload file is moved on the
    filesystem, sent in parts to S3)."""
    if default_storage.exists(name):
        default_storage.delete(name)
    upload.seek(0)
    return default_storage.save(name, upload)


def save_scans(name: str, source: bytes | Path) -> str:
    if default_storage.exists(name):
        default_storage.delete(name)
    if isinstance(source, Path):
        with open(source, "rb") as fh:
            return default_storage.save(name, File(fh))
    return default_storage.save(name, ContentFile(source))


@contextmanager
def local_scans(name: str):
    """A local path of the stored scans zip (the storage's own path, or a temporary copy)."""
    try:
        path = Path(default_storage.path(name))
    except NotImplementedError:
        path = None
    if path is not None:
        yield path
        return
    with tempfile.NamedTemporaryFile(suffix=".zip") as tmp, default_storage.open(name, "rb") as fh:
        shutil.copyfileobj(fh, tmp, 1024 * 1024)
        tmp.flush()
        yield Path(tmp.name)


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
