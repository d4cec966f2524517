"""The exchange folders shared with the service bank and the card vendor.

``<SSCARD_EXCHANGE_DIR>/outbox`` holds our files for the partners, ``inbox`` their result files, and
``inbox/done`` the result files already imported.  Files carry full identity data, so each one is sealed
with AES-GCM (``core.crypto.encrypt_bytes``) for its time on disk: in a real deployment the transfer link
(e.g. SFTP with the partner's key) replaces this seal; the simulated partners use the same key.
Every write is atomic (temporary file, fsync, rename), so a reader never sees half a file.
"""

import hashlib
from pathlib import Path

from django.conf import settings

from sscard.core import crypto
from sscard.production.exchange_files import parse_exchange_filename, write_atomically


def exchange_dir() -> Path:
    base = getattr(settings, "SSCARD_EXCHANGE_DIR", None) or Path(settings.VAR_DIR) / "exchange"
    return Path(base)


def outbox() -> Path:
    path = exchange_dir() / "outbox"
    path.mkdir(parents=True, exist_ok=True)
    return path


def inbox() -> Path:
    path = exchange_dir() / "inbox"
    (path / "done").mkdir(parents=True, exist_ok=True)
    return path


def seal(content: bytes) -> bytes:
    return crypto.encrypt_bytes(content)


def unseal(blob: bytes) -> bytes:
    return crypto.decrypt_bytes(blob)


def write_out(name: str, content: bytes) -> str:
    """Write one of our files to the outbox; returns the SHA-256 of its (unsealed) content."""
    write_atomically(outbox() / name, seal(content))
    return hashlib.sha256(content).hexdigest()


def write_in(name: str, content: bytes) -> None:
    """A partner's result file arriving (the simulated partners and tests use this)."""
    write_atomically(inbox() / name, seal(content))


def result_files() -> list[tuple[Path, str]]:
    """Result files waiting in the inbox, oldest name first, as ``(path, kind)``."""
    out = []
    for path in sorted(inbox().iterdir()):
        parsed = parse_exchange_filename(path.name) if path.is_file() else None
        if parsed and parsed[0].endswith("_result"):
            out.append((path, parsed[0]))
    return out


def out_files() -> list[tuple[Path, str]]:
    out = []
    for path in sorted(outbox().iterdir()):
        parsed = parse_exchange_filename(path.name) if path.is_file() else None
        if parsed and parsed[0].endswith("_out"):
            out.append((path, parsed[0]))
    return out


def mark_done(path: Path) -> None:
    path.replace(inbox() / "done" / path.name)
