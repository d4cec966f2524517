"""Taking a backup: the database (a consistent copy), every file of the media storage as stored, and a
manifest that says what is in them (``manage.py backup_create``).

The backup folder::

    manifest.json        what follows, with counts, hashes and versions (no key, no personal data)
    database.pgdump      PostgreSQL: pg_dump --format=custom of one snapshot  (or database.sqlite3)
    files/<name>         each stored file, byte for byte (encrypted files stay encrypted)

The files are copied after the database's snapshot: a file stored meanwhile may be in the backup
without its row (harmless), and one deleted meanwhile is missing from it (the manifest lists what was
copied).  Never in the backup: the field, lookup and signing keys, and the heads file (the audit log's
anchor): they are kept apart, or whoever holds the backup could read it, or rewrite it unnoticed.
"""

import json
import platform
import sys
from importlib import metadata
from pathlib import Path

import django

from sscard.core import clock
from sscard.ops import database, files

FORMAT = "sscard-backup-1"
MANIFEST = "manifest.json"


def _version(package: str) -> str:
    try:
        return metadata.version(package)
    except metadata.PackageNotFoundError:
        return "unknown"


def backup_create(out_dir: Path) -> dict:
    """Write a backup into ``out_dir`` (new or empty); return its manifest."""
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    if any(out_dir.iterdir()):
        raise FileExistsError(f"{out_dir} is not empty: a backup goes into a new folder")
    started = clock.now()
    db = database.dump(out_dir)
    db["sha256"] = files.file_sha256(out_dir / db["file"])
    db["bytes"] = (out_dir / db["file"]).stat().st_size
    storage = files.raw_storage()
    listed = []
    for name in files.walk(storage):
        target = out_dir / "files" / name
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(target, "wb") as fh:
            size, digest = files.copy_out(storage, name, fh)
        listed.append({"name": name, "bytes": size, "sha256": digest})
    manifest = {
        "format": FORMAT,
        "started_at": started.isoformat(),
        "finished_at": clock.now().isoformat(),
        "database": db,
        "storage": {"backend": f"{type(storage).__module__}.{type(storage).__qualname__}",
                    "files": len(listed), "bytes": sum(f["bytes"] for f in listed)},
        "files": listed,
        "versions": {"sscard": _version("sscard"), "django": django.get_version(),
                     "python": platform.python_version(), "platform": sys.platform},
    }
    (out_dir / MANIFEST).write_text(json.dumps(manifest, ensure_ascii=False, indent=1), encoding="utf-8")
    return manifest
