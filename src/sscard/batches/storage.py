"""Where a batch's files live: the source (sheet or keyed rows), the scans zip and the parts the background
validation works on, through Django's storage API (``default_storage``: the filesystem, or S3 on several
nodes).  Names hold the batch number only, never personal data.

Every file is sealed by the default storage itself (``core.storage.EncryptedStorage``: AES-256-GCM in
64 KB segments, the key id in the header, streamed both ways), so this module writes and reads clear
content and encrypts nothing twice; files that earlier versions sealed here (``SSCS1`` / ``SSCB1``) are
read by the same storage.  The submission stores the uploads without holding either whole in memory:
both were sealed and hashed as they arrived (``core.uploads``) and are moved into place.  The structural
checks (``validation``) then repack the scans zip (``kept_scans_name``): only the recognised scans, under
opaque member names, the mapping from ID number and kind to member kept only in the encrypted index (the
parts' ``scans`` slice and ``scans_index_for``); the zip as received is deleted.  The task that checks
the files writes one part per range of rows (``part_name``: its rows, their duplicates in the file and
their slice of the zip's directory), so each chunk task reads only its own part.
"""

import hashlib
import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

CHUNK = 1024 * 1024


def source_name(batch_no: str, fmt: str) -> str:
    return f"batches/{batch_no}/source.{fmt}.enc"


def scans_name(batch_no: str) -> str:
    """The scans zip as received (until the structural checks repack it)."""
    return f"batches/{batch_no}/scans.zip"


def kept_scans_name(batch_no: str, token: str) -> str:
    """The repacked scans zip (opaque member names); ``token`` is the structural checks' run's."""
    return f"batches/{batch_no}/scans-{token}.zip"


def parsed_name(batch_no: str) -> str:
    """The sheet's rows as ``batch_submit`` read them (JSON), so validation reads no xlsx."""
    return f"batches/{batch_no}/rows.json.enc"


def scans_index_name(batch_no: str) -> str:
    """The scans zip's checked directory (JSON: the ID numbers and kinds of the members)."""
    return f"batches/{batch_no}/scans-index.json.enc"


def scans_index_for(scans: str) -> str:
    """The index (JSON: ID number and kind -> member) of the stored scans zip ``scans``: beside a repacked
    zip, or the batch's ``scans_index_name`` for a zip kept as received by an earlier version."""
    if scans.endswith("/scans.zip"):
        return scans_index_name(scans.split("/")[1])
    return scans.removesuffix(".zip") + "-index.json.enc"


def scans_files(scans: str) -> list[str]:
    """Every stored file of a batch's scans: the zip and its index (what a purge deletes)."""
    return [scans, scans_index_for(scans)] if scans else []


def part_name(batch_no: str, token: str, part_no: int) -> str:
    """One part of a batch's rows (JSON), written by the structural checks; ``token`` is that run's, so a
    second run never overwrites a part a chunk task is reading."""
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
    """Store ``content`` (sealed by the storage)."""
    if default_storage.exists(name):  # a resumed worker rewrites the same file
        default_storage.delete(name)
    return default_storage.save(name, ContentFile(content))


def read_encrypted(name: str) -> bytes:
    with default_storage.open(name, "rb") as fh:
        return fh.read()


class _Hashing:
    """A file read through once, its bytes hashed on the way (``seek(0)`` starts the hash again)."""

    def __init__(self, source):
        self._source = source
        self.digest = hashlib.sha256()

    def seek(self, pos, whence=0):
        if pos == 0 and whence == 0:
            self.digest = hashlib.sha256()
        return self._source.seek(pos, whence)

    def read(self, n=-1):
        piece = self._source.read(n)
        self.digest.update(piece)
        return piece


def save_stream_encrypted(name: str, source: File) -> str:
    """Store ``source`` (an upload, or any Django ``File``) sealed segment by segment as the storage streams
    it (an upload sealed as it arrived is moved into place as it is); returns the SHA-256 of the plain
    content."""
    if getattr(source, "sealed", False) and getattr(source, "sha256", ""):
        save_upload(name, source)
        return source.sha256
    hashing = _Hashing(source)
    source.seek(0)
    if default_storage.exists(name):
        default_storage.delete(name)
    default_storage.save(name, File(hashing, name=Path(name).name))
    return hashing.digest.hexdigest()


@contextmanager
def local_decrypted(name: str):
    """A local temporary file holding the plain content of the stored file ``name``."""
    suffix = Path(name).suffixes[0] if Path(name).suffixes else ""
    with tempfile.NamedTemporaryFile(suffix=suffix) as tmp:
        with default_storage.open(name, "rb") as fh:
            shutil.copyfileobj(fh, tmp, CHUNK)
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
    """Store an upload: one sealed as it arrived (``core.uploads``) is moved into place on the filesystem
    (sent as it is to S3); any other is sealed by the storage as it streams."""
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
    """A local path of the stored scans zip's *sealed* bytes (the storage's own file, or a temporary copy
    from S3), which ``scans`` opens through the decrypting reader: a scan read decrypts only the 64 KB
    segments it lies in, nothing is decrypted whole, and the checking workers open the same path."""
    path = default_storage.local_path(name)
    if path is not None:
        yield Path(path)
        return
    with tempfile.NamedTemporaryFile(suffix=".zip.sealed") as tmp, \
            default_storage.inner.open(name, "rb") as fh:
        shutil.copyfileobj(fh, tmp, CHUNK)
        tmp.flush()
        yield Path(tmp.name)


def delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)
