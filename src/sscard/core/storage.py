"""Files at rest encrypted: ``EncryptedStorage``, a Django storage that wraps the configured backend (the
filesystem, or S3 through django-storages) and seals every file it saves, opening it in clear for the
application only.

Format (the construction of Tink's AES-GCM-HKDF streaming AEAD, built on ``cryptography``): a 64-byte
header — ``SSCF\\x01``, the key id (16 bytes, NUL-padded), the segment size (4 bytes), a random 32-byte
salt, a random 7-byte nonce prefix — then the content in segments of ``SEGMENT`` bytes (the last one
shorter, possibly empty), each sealed with AES-256-GCM under a key derived for this file (HKDF-SHA256 of
the ring's key and the salt), with the nonce ``prefix | segment index (4 bytes) | last-segment flag`` and
the header as associated data.  So segments cannot be reordered, dropped, cut off (the last one must carry
the flag) or moved to another file, and the key id is authenticated.  Segments have a fixed size, so the
reader seeks (``DecryptingReader``: a zip read member by member decrypts only the segments it touches)
and nothing is ever held whole in memory; the writer streams too.  The per-file key means nonces never
repeat under one key, however many files there are.

Reading also accepts what was stored before this wrapper: files sealed by the batches' own framing
(``SSCS1`` chunks, ``SSCB1`` blobs, under the ring's legacy key id) and plain files (archive images,
scans zips) while ``SSCARD_STORAGE_READ_PLAIN`` is on (the default: set it off once ``rotate_keys`` has
sealed every old file, so that an unsealed file is refused).  ``rotate_keys`` rewrites each of those, and
each file under a key other than the active one, under the active key.

A file that does not open raises ``EncryptedFileError`` (a ``ValueError``), whose message names no content:
callers turn it into their own clear error (the archive's ``ARCHIVE_FILE_TAMPERED``, a batch's 无法读取).
"""

import io
import os
import struct
import tempfile

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core.files import File
from django.core.files.storage import FileSystemStorage, Storage
from django.utils.deconstruct import deconstructible
from django.utils.module_loading import import_string

from sscard.core import crypto

MAGIC = b"SSCF\x01"
SEGMENT = 64 * 1024
TAG = 16
_HEAD = struct.Struct(">5s16sI32s7s")
HEADER = _HEAD.size  # 64
_LEGACY_STREAM = b"SSCS1"
_LEGACY_BLOB = b"SSCB1"
_LEGACY_CHUNK_HEAD = struct.Struct(">I")
PLAIN = None  # the key id ``key_id_of`` gives a plain (unsealed) file


class EncryptedFileError(ValueError):
    """A stored file that does not open: tampered, cut off, sealed with a key the ring does not hold, or
    unsealed while plain files are refused."""


def read_plain_allowed() -> bool:
    return bool(getattr(settings, "SSCARD_STORAGE_READ_PLAIN", True))


def _file_aead(kid: str, salt: bytes, info: bytes) -> AESGCM:
    try:
        key = crypto.key_bytes(kid)
    except crypto.DecryptionError as exc:
        raise EncryptedFileError(str(exc)) from None
    derived = HKDF(algorithm=hashes.SHA256(), length=32, salt=salt, info=b"sscard-file:" + info).derive(key)
    return AESGCM(derived)


def _nonce(prefix: bytes, index: int, last: bool) -> bytes:
    return prefix + struct.pack(">I?", index, last)


# -- writing ---------------------------------------------------------------------------------------------

def encrypted_chunks(source, kid: str | None = None, segment: int = SEGMENT):
    """``source`` (a binary file object, read from where it stands) sealed: the header, then each segment;
    one segment is read ahead to know which is the last."""
    kid = kid or crypto.keyring().active
    salt, prefix = os.urandom(32), os.urandom(7)
    header = _HEAD.pack(MAGIC, crypto.padded_key_id(kid), segment, salt, prefix)
    aead = _file_aead(kid, salt, header[:25])
    yield header
    index, current = 0, _read_full(source, segment)
    while True:
        following = _read_full(source, segment) if len(current) == segment else b""
        last = not following
        yield aead.encrypt(_nonce(prefix, index, last), current, header)
        if last:
            return
        index, current = index + 1, following


class Sealer:
    """Seals bytes written to it piece by piece into ``out`` (the same format as ``encrypted_chunks``):
    a segment is sealed once more bytes follow it, the last one on ``close()``; at most one segment is
    held.  For a stream whose end is not known in advance (an upload as it arrives)."""

    def __init__(self, out, kid: str | None = None, segment: int = SEGMENT):
        kid = kid or crypto.keyring().active
        salt, self._prefix = os.urandom(32), os.urandom(7)
        self._header = _HEAD.pack(MAGIC, crypto.padded_key_id(kid), segment, salt, self._prefix)
        self._aead = _file_aead(kid, salt, self._header[:25])
        self._out, self._segment, self._index, self._buffer = out, segment, 0, bytearray()
        out.write(self._header)

    def write(self, data: bytes) -> None:
        self._buffer += data
        while len(self._buffer) > self._segment:  # more follows: not the last segment
            piece = bytes(self._buffer[:self._segment])
            del self._buffer[:self._segment]
            self._out.write(self._aead.encrypt(_nonce(self._prefix, self._index, False), piece, self._header))
            self._index += 1

    def close(self) -> None:
        self._out.write(self._aead.encrypt(_nonce(self._prefix, self._index, True), bytes(self._buffer),
                                           self._header))
        self._buffer = bytearray()


def _read_full(fh, n: int) -> bytes:
    parts, got = [], 0
    while got < n:
        piece = fh.read(n - got)
        if not piece:
            break
        if isinstance(piece, str):
            piece = piece.encode("utf-8")
        parts.append(piece)
        got += len(piece)
    return b"".join(parts)


class _SealedContent(File):
    """What the wrapper hands the backend: ``chunks()`` streams the sealed bytes (the filesystem writes
    them as they come)."""

    content_type = "application/octet-stream"  # S3 gets no hint of what is inside

    def __init__(self, source, name):
        super().__init__(None, name=name)
        self._source = source

    def chunks(self, chunk_size=None):
        if hasattr(self._source, "seek"):
            self._source.seek(0)
        yield from encrypted_chunks(self._source)

    def spooled(self) -> File:
        """The sealed bytes in a temporary file (memory up to a few MB, then disk), for backends that
        need a seekable file (S3 uploads in parts)."""
        tmp = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
        for piece in self.chunks():
            tmp.write(piece)
        tmp.seek(0)
        sealed = File(tmp, name=self.name)
        sealed.content_type = self.content_type
        return sealed


class _SealedUpload(File):
    """A sealed upload as the filesystem backend moves it: its temporary file's path, its sealed bytes."""

    def __init__(self, upload):
        super().__init__(None, name=upload.name)
        self._path = upload.temporary_file_path()

    def temporary_file_path(self):
        return self._path


# -- reading ---------------------------------------------------------------------------------------------

class DecryptingReader(io.RawIOBase):
    """A sealed file opened for reading: seekable, decrypting only the segments it touches (one kept)."""

    def __init__(self, raw, length: int):
        super().__init__()
        self._raw = raw
        header = _read_full(raw, HEADER)
        if len(header) != HEADER or not header.startswith(MAGIC):
            raise EncryptedFileError("not a sealed file")
        _, kid_raw, segment, salt, self._prefix = _HEAD.unpack(header)
        try:
            self.key_id = crypto.unpadded_key_id(kid_raw)
        except crypto.DecryptionError:
            raise EncryptedFileError("not a sealed file (bad key id)") from None
        if not 1024 <= segment <= 16 * 1024 * 1024:
            raise EncryptedFileError("not a sealed file (bad segment size)")
        self._header, self._segment = header, segment
        self._aead = _file_aead(self.key_id, salt, header[:25])
        body = length - HEADER
        full, rest = divmod(body, segment + TAG)
        if rest == 0 and full >= 1:
            self._count, last_len = full, segment
        elif rest >= TAG:
            self._count, last_len = full + 1, rest - TAG
        else:
            raise EncryptedFileError("sealed file cut off")
        self.plain_size = (self._count - 1) * segment + last_len
        self._pos = 0
        self._cached: tuple[int, bytes] | None = None
        self._segment_plain(self._count - 1)  # the last segment must carry the flag: no cut-off file opens

    def _segment_plain(self, index: int) -> bytes:
        if self._cached is not None and self._cached[0] == index:
            return self._cached[1]
        self._raw.seek(HEADER + index * (self._segment + TAG))
        last = index == self._count - 1
        sealed = _read_full(self._raw, self._segment + TAG)
        try:
            plain = self._aead.decrypt(_nonce(self._prefix, index, last), sealed, self._header)
        except InvalidTag:
            raise EncryptedFileError("sealed file does not open (tampered, cut off or wrong key)") from None
        self._cached = (index, plain)
        return plain

    def readable(self):
        return True

    def seekable(self):
        return True

    def tell(self):
        return self._pos

    def seek(self, offset, whence=io.SEEK_SET):
        base = {io.SEEK_SET: 0, io.SEEK_CUR: self._pos, io.SEEK_END: self.plain_size}[whence]
        self._pos = max(0, base + offset)
        return self._pos

    @property
    def size(self):
        return self.plain_size

    def read(self, size=-1):
        end = self.plain_size if size is None or size < 0 else min(self.plain_size, self._pos + size)
        parts = []
        while self._pos < end:
            index, offset = divmod(self._pos, self._segment)
            piece = self._segment_plain(index)[offset:offset + end - self._pos]
            parts.append(piece)
            self._pos += len(piece)
        return b"".join(parts)

    def readall(self):
        return self.read()

    def __getitem__(self, span: slice) -> bytes:
        """``reader[a:b]``: the clear bytes a..b, like slicing a memory map of the clear file (a zip read
        member by member decrypts only the segments the member lies in)."""
        start, stop, _ = span.indices(self.plain_size)
        self.seek(start)
        return self.read(max(0, stop - start))

    def __len__(self):
        return self.plain_size

    def readinto(self, buffer):
        view = memoryview(buffer).cast("B")
        done = 0
        while done < len(view) and self._pos < self.plain_size:
            index, offset = divmod(self._pos, self._segment)
            plain = self._segment_plain(index)
            piece = plain[offset:offset + len(view) - done]
            view[done:done + len(piece)] = piece
            done += len(piece)
            self._pos += len(piece)
        return done

    def close(self):
        if not self.closed:
            self._raw.close()
        super().close()


def _legacy_stream(raw) -> tempfile.SpooledTemporaryFile:
    """A file the batches sealed themselves before this wrapper (``SSCS1``: length-prefixed nonce and
    ciphertext chunks, index and last flag in the associated data), in clear."""
    aead = crypto.aead(crypto.keyring().legacy)
    out = tempfile.SpooledTemporaryFile(max_size=8 * 1024 * 1024)
    raw.seek(len(_LEGACY_STREAM))
    index = 0
    while True:
        head = _read_full(raw, _LEGACY_CHUNK_HEAD.size)
        if len(head) != _LEGACY_CHUNK_HEAD.size:
            raise EncryptedFileError("sealed file cut off")
        sealed = _read_full(raw, _LEGACY_CHUNK_HEAD.unpack(head)[0])
        nxt = raw.read(1)
        try:
            out.write(aead.decrypt(sealed[:12], sealed[12:],
                                   _LEGACY_STREAM + struct.pack(">Q?", index, not nxt)))
        except (InvalidTag, ValueError):
            raise EncryptedFileError("sealed file does not open (tampered, cut off or wrong key)") from None
        if not nxt:
            break
        raw.seek(-1, os.SEEK_CUR)
        index += 1
    out.seek(0)
    return out


def open_sealed(raw, length: int):
    """A binary file object giving the clear content of the stored bytes ``raw`` (any format above)."""
    head = _read_full(raw, len(MAGIC))
    raw.seek(0)
    if head == MAGIC:
        return DecryptingReader(raw, length)
    try:
        if head == _LEGACY_STREAM:
            with raw:
                return _legacy_stream(raw)
        if head == _LEGACY_BLOB:
            with raw:
                return io.BytesIO(crypto.decrypt_bytes(raw.read()))
    except crypto.DecryptionError as exc:
        raise EncryptedFileError(str(exc)) from None
    if not read_plain_allowed():
        raw.close()
        raise EncryptedFileError("an unsealed file is refused (SSCARD_STORAGE_READ_PLAIN is off)")
    return raw


def open_local(path) -> "DecryptingReader | io.BufferedReader":
    """A local file of sealed bytes (``EncryptedStorage.local_path``) opened in clear: seekable, decrypting
    what is read; a file stored unsealed before the wrapper opens as it is (while plain files are read)."""
    raw = open(path, "rb")
    try:
        return open_sealed(raw, os.fstat(raw.fileno()).st_size)
    except BaseException:
        raw.close()
        raise


def key_id_from_head(head: bytes):
    """The key id of stored bytes starting with ``head`` (at least 21 bytes), ``PLAIN`` if unsealed."""
    if head.startswith(MAGIC) and len(head) >= 21:
        try:
            return crypto.unpadded_key_id(head[5:21])
        except crypto.DecryptionError:
            return PLAIN
    if head.startswith((_LEGACY_STREAM, _LEGACY_BLOB)):
        return "legacy:" + crypto.keyring().legacy  # never the active key: legacy framing is rewritten
    return PLAIN


# -- the storage -------------------------------------------------------------------------------------

@deconstructible(path="sscard.core.storage.EncryptedStorage")
class EncryptedStorage(Storage):
    """The configured backend (``backend``, a dotted path, built with ``options``), every file sealed.

    Names, listing, existence and deletion are the backend's; ``open`` gives the clear content (read only:
    files are written with ``save``); ``size`` is the clear size; ``path`` and ``url`` are refused (a path
    or URL would reach the sealed bytes, not the content)."""

    def __init__(self, backend: str = "django.core.files.storage.FileSystemStorage",
                 options: dict | None = None):
        self.backend_path = backend
        self.inner = import_string(backend)(**(options or {}))

    # names and listing: the backend's
    def get_valid_name(self, name):
        return self.inner.get_valid_name(name)

    def get_available_name(self, name, max_length=None):
        return self.inner.get_available_name(name, max_length=max_length)

    def generate_filename(self, filename):
        return self.inner.generate_filename(filename)

    def exists(self, name):
        return self.inner.exists(name)

    def delete(self, name):
        return self.inner.delete(name)

    def listdir(self, path):
        return self.inner.listdir(path)

    def get_modified_time(self, name):
        return self.inner.get_modified_time(name)

    def get_created_time(self, name):
        return self.inner.get_created_time(name)

    def get_accessed_time(self, name):
        return self.inner.get_accessed_time(name)

    def path(self, name):
        raise NotImplementedError("files are sealed: open them through the storage")

    def url(self, name):
        raise NotImplementedError("files are sealed and never served by URL")

    # content
    def _save(self, name, content):
        if getattr(content, "sealed", False):  # sealed already as it arrived (``core.uploads``)
            return self._save_sealed(name, content)
        return self.inner.save(name, self._sealed(name, content))

    def _save_sealed(self, name, upload):
        if isinstance(self.inner, FileSystemStorage):  # moved into place (a rename on one file system)
            return self.inner.save(name, _SealedUpload(upload))
        with open(upload.temporary_file_path(), "rb") as fh:
            sealed = File(fh, name=os.path.basename(name))
            sealed.content_type = _SealedContent.content_type
            return self.inner.save(name, sealed)

    def _sealed(self, name, content) -> File:
        sealed = _SealedContent(content, os.path.basename(name))
        return sealed if isinstance(self.inner, FileSystemStorage) else sealed.spooled()

    def _open(self, name, mode="rb"):
        if any(m in mode for m in "wa+"):
            raise ValueError("sealed files are written with save(), not opened for writing")
        raw = self.inner.open(name, "rb")
        try:
            length = self.inner.size(name)
            return File(open_sealed(raw, length), name=name)
        except BaseException:
            raw.close()
            raise

    def size(self, name):
        with self.open(name) as fh:
            reader = fh.file
            if isinstance(reader, DecryptingReader):
                return reader.plain_size
            reader.seek(0, os.SEEK_END)
            return reader.tell()

    def local_path(self, name) -> str | None:
        """The local path of the *sealed* bytes of ``name`` on the filesystem backend (open it with
        ``open_local``), None on other backends (copy the sealed bytes locally with ``inner.open``)."""
        return self.inner.path(name) if isinstance(self.inner, FileSystemStorage) else None

    # key rotation (``rotate_keys``)
    def key_id(self, name):
        """The key id a stored file is sealed under (``PLAIN`` if unsealed), reading only its head."""
        return key_id_from_head(self._head(name, 21))

    def _head(self, name, n: int) -> bytes:
        bucket = getattr(self.inner, "bucket", None)
        if bucket is not None and hasattr(self.inner, "_normalize_name"):  # S3: a ranged GET, not the object
            from storages.utils import clean_name  # django-storages is an optional dependency (".[s3]")

            key = self.inner._normalize_name(clean_name(name))
            return bucket.Object(key).get(Range=f"bytes=0-{n - 1}")["Body"].read()
        with self.inner.open(name, "rb") as fh:
            return fh.read(n)

    def reseal(self, name) -> None:
        """Rewrite ``name`` under the active key, in place: the filesystem writes a temporary file beside
        it and renames it over (atomic); S3 replaces the object when the upload completes (atomic)."""
        with self.open(name) as clear:
            if isinstance(self.inner, FileSystemStorage):
                target = self.inner.path(name)
                fd, tmp = tempfile.mkstemp(dir=os.path.dirname(target), prefix=".reseal-")
                try:
                    with os.fdopen(fd, "wb") as out:
                        for piece in encrypted_chunks(clear.file):
                            out.write(piece)
                        out.flush()
                        os.fsync(out.fileno())
                    if self.inner.file_permissions_mode is not None:
                        os.chmod(tmp, self.inner.file_permissions_mode)
                    os.replace(tmp, target)
                except BaseException:
                    if os.path.exists(tmp):
                        os.unlink(tmp)
                    raise
                return
            sealed = _SealedContent(clear.file, os.path.basename(name)).spooled()
            with sealed:
                self.inner._save(name, sealed)  # the same key: no new name (S3 overwrites atomically)

    def walk(self, path: str = ""):
        """Every stored file's name under ``path``, sorted (directories depth first)."""
        dirs, files = self.inner.listdir(path)
        for f in sorted(files):
            if not f.startswith(".reseal-"):
                yield f"{path}/{f}" if path else f
        for d in sorted(dirs):
            yield from self.walk(f"{path}/{d}" if path else d)
