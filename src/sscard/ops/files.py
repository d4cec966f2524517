"""The media storage's files as stored, for the backup and the restore.

The backup copies every file of the default storage byte for byte, as the backend holds it: a file the
storage keeps encrypted stays encrypted in the backup (the keys never go with it).  When the default
storage wraps another one (the encrypting wrapper exposes the storage it writes to as ``raw_storage``),
the files are read from and written to that one, so nothing is decrypted on the way.
"""

import hashlib
from collections.abc import Iterator

from django.core.files import File
from django.core.files.storage import Storage, storages

CHUNK = 1024 * 1024


def raw_storage() -> Storage:
    """The storage that holds the bytes: the default storage, or the one it wraps (``raw_storage``, or
    ``inner`` as ``core.storage.EncryptedStorage`` names it)."""
    storage = storages["default"]
    return getattr(storage, "raw_storage", None) or getattr(storage, "inner", None) or storage


def walk(storage: Storage, folder: str = "") -> Iterator[str]:
    """Every file name under ``folder``, depth first, sorted (none when a filesystem root is missing)."""
    try:
        dirs, files = storage.listdir(folder)
    except FileNotFoundError:
        return
    for name in sorted(files):
        yield f"{folder}/{name}" if folder else name
    for name in sorted(dirs):
        yield from walk(storage, f"{folder}/{name}" if folder else name)


def copy_out(storage: Storage, name: str, target) -> tuple[int, str]:
    """Copy stored file ``name`` to the open binary file ``target``: ``(size, sha256 hex)``."""
    digest, size = hashlib.sha256(), 0
    with storage.open(name, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
            size += len(chunk)
            target.write(chunk)
    return size, digest.hexdigest()


def stored_sha256(storage: Storage, name: str) -> str:
    digest = hashlib.sha256()
    with storage.open(name, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def file_sha256(path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def put(storage: Storage, name: str, source_path) -> None:
    """Store the backup's copy of ``name`` under the same name (the target storage is fresh)."""
    with open(source_path, "rb") as fh:
        saved = storage.save(name, File(fh, name=name))
    if saved != name:
        raise RuntimeError(f"storage kept {name!r} as {saved!r}: the target storage is not empty")
