"""Where a batch's files live: the encrypted source (sheet or keyed rows), the scans zip and the error
workbook, through Django's storage API.  Names hold the batch number only, never personal data.

Beside the sheet, ``batch_submit`` keeps what its checks read (the rows, the zip's directory) so the
background validation starts without parsing either file again.  The sheet, those two and the error
workbook carry ID numbers in text, so they are encrypted with the field key (``core.crypto.encrypt_bytes``).  The scans zip is kept as received, like every other evidence image
(``archive``), and read member by member.
"""

import json
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.core.files import File
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage

from sscard.core import crypto


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
        return crypto.decrypt_bytes(fh.read())


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
