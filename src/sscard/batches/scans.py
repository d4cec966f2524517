"""The scans zip of an employer batch (``ScanArchive``: files keyed by ID number and kind, read one at a
time within limits) and the content checks of a scan and of the photo (the archive's one photo rule,
``sscard.archive.photo``: format, size, white background, and the face unless ``SSCARD_BATCH_PHOTO_FACES``
is off).
"""

from __future__ import annotations

import io
import mmap
import re
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, NamedTuple

from django.conf import settings

from sscard.archive.photo import PhotoRule, photo_problems
from sscard.archive.rules import inspect_image, max_image_pixels, min_image_side
from sscard.batches.zip_guard import (
    MB,
    READ_ERRORS,
    central_entries,
    decoded_name,
    is_dir,
    is_symlink,
    max_scan_bytes,
    max_scan_members,
    max_scans_bytes,
    open_binary,
    open_bounded,
    raw_name,
    scan_max_ratio,
    shown,
    size_of,
    starts_like_zip,
    unsafe_name,
)
from sscard.core.errors import InvalidInput
from sscard.core.storage import DecryptingReader, open_local

SCAN_KINDS = {"photo": "", "id_front": "正面", "id_back": "反面", "hukou_own": "户口本人页",
              "hukou_change": "户口增减页"}
SCAN_RATIO_FROM_BYTES = 64 * 1024
# The face check of the photo rule costs ~7 ms of one core a photo (a 100,000-row batch: ~12 core-minutes
# more); SSCARD_BATCH_PHOTO_FACES = False skips it (format, size and background are still checked).
DEFAULT_BATCH_PHOTO_FACES = True
_KIND_BY_SUFFIX = {suffix: kind for kind, suffix in SCAN_KINDS.items()}
_SCAN_NAME = re.compile(r"^(?P<id>[0-9A-Za-z][0-9A-Za-z-]{0,39})(?:_(?P<suffix>正面|反面|户口本人页|户口增减页))?"
                        r"\.(?:jpg|jpeg|png)$")
_ARCHIVE_EXTENSIONS = (".zip", ".zipx", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".tbz", ".xz", ".txz",
                       ".zst", ".lz", ".lzma", ".z", ".cab", ".arj", ".lzh", ".iso", ".jar", ".apk")



# -- scans zip ------------------------------------------------------------------------------------

class Member(NamedTuple):
    """Where one file lies in the zip (the fields of ``zipfile.ZipInfo`` that reading it needs)."""

    raw_name: str
    header_offset: int
    compress_size: int
    file_size: int
    CRC: int  # noqa: N815 - ZipInfo's own spelling
    compress_type: int
    flag_bits: int


class ScanArchive:
    """The scans zip, opened and checked; files keyed by their base name (NFC, extension lower-cased).

    ``open_scans`` walks and checks the whole central directory (a second or two for 300,000 files);
    ``index()`` gives what that walk found, and ``ScanArchive.from_index`` reopens the same stored zip from
    it without walking again (the background workers of a batch, after ``batch_submit`` checked it).
    """

    def __init__(self, fp: BinaryIO, members: dict[str, Member], index: dict[tuple[str, str], str],
                 unrecognised: list[str], zf: zipfile.ZipFile | None = None):
        self._fp = fp
        self._map = None
        self._zf = zf
        self._members = members
        self._index = index
        self.unrecognised = unrecognised

    @classmethod
    def from_index(cls, source: Path, data: dict) -> ScanArchive:
        """The zip at ``source`` with the ``index()`` taken when it was opened and checked."""
        members = dict(zip(data["names"], map(Member._make, zip(*data["members"]))))
        index = dict(zip(zip(data["slot_ids"], data["slot_kinds"]), data["slot_names"]))
        return cls(_open(source), members, index, list(data["unrecognised"]))

    def index(self, ids=None) -> dict:
        """What the directory walk found, column by column, JSON-ready (names carry ID numbers: store it
        encrypted).  ``ids`` (upper-case ID numbers): only their scans, the slice one part of the rows
        needs (unrecognised names are left out)."""
        if ids is None:
            slots, names, unrecognised = self._index, list(self._members), self.unrecognised
        else:
            slots = {slot: name for slot, name in self._index.items() if slot[0] in ids}
            names, unrecognised = list(dict.fromkeys(slots.values())), []
        values = [self._members[n] for n in names]
        members = [list(column) for column in zip(*values)] or [[] for _ in Member._fields]
        slot_ids, kinds = (list(column) for column in zip(*slots)) if slots else ([], [])
        return {"names": names, "members": members, "slot_ids": slot_ids, "slot_kinds": kinds,
                "slot_names": list(slots.values()), "unrecognised": unrecognised}

    def repack(self, target: BinaryIO) -> dict:
        """Write the recognised scans to ``target`` as a new zip whose member names are opaque
        (``000001.jpg``, ...: no ID number), each read and checked as ``read`` does (a corrupt or oversized
        scan refuses the file here) and stored uncompressed; returns the ``index()`` of the new zip under
        the same keys (the mapping from ID number and kind to member lives only in that index, which is
        stored encrypted).  Unrecognised files are not kept."""
        members: dict[str, Member] = {}
        with zipfile.ZipFile(target, "w", zipfile.ZIP_STORED, allowZip64=True) as out:
            for seq, key in enumerate(dict.fromkeys(self._index.values()), start=1):
                content = self.read(key)
                ext = key.rpartition(".")[2].lower()
                info = zipfile.ZipInfo(f"{seq:06d}.{ext}", date_time=(1980, 1, 1, 0, 0, 0))
                out.writestr(info, content)
                members[key] = Member(info.filename, info.header_offset, info.compress_size, info.file_size,
                                      info.CRC, info.compress_type, info.flag_bits)
        kept = ScanArchive(io.BytesIO(), members, dict(self._index), [])
        return kept.index()

    def __enter__(self) -> ScanArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
        if isinstance(self._map, mmap.mmap):
            self._map.close()
        self._map = None
        if self._zf is not None:
            self._zf.close()
        self._fp.close()

    @property
    def names(self) -> list[str]:
        """Every file name in the zip (recognised or not), keyed form."""
        return list(self._members)

    def find(self, id_number: str, kind: str) -> str | None:
        """The name of the ``kind`` scan of ``id_number`` (x and X alike), or None."""
        if kind not in SCAN_KINDS:
            raise KeyError(kind)
        return self._index.get(((id_number or "").strip().upper(), kind))

    def ids(self) -> set[str]:
        """ID numbers (upper-case) with at least one recognised scan."""
        return {id_number for id_number, _ in self._index}

    def read(self, name: str, limit: int | None = None) -> bytes:
        """The bytes of file ``name``; never more than the scan limit (``limit``) is decompressed."""
        info = self._members[name]
        limit = max_scan_bytes() if limit is None else limit
        content = self._read_direct(info, limit)
        if content is not None:
            if len(content) > limit or len(content) > info.file_size:
                raise InvalidInput("SCANS_ZIP_BOMB",
                                   f"扫描件“{shown(name)}”解压后超过 {limit // 1024} KB 或超过声明大小，已拒收")
            if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
                raise InvalidInput("SCANS_CORRUPT", f"压缩包中的文件“{shown(name)}”已损坏，无法读取")
            return content
        if self._zf is None:  # zipfile only for the rare other compressions
            self._fp.seek(0)
            self._zf = zipfile.ZipFile(self._fp)
        return self._read_zipfile(name, self._zf.getinfo(info.raw_name), limit)

    def _read_direct(self, info: Member, limit: int) -> bytes | None:
        """Stored or deflated member read straight from its local header (~10x faster than
        ``ZipFile.open`` for hundreds of thousands of small scans); None: use zipfile instead."""
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            return None
        view = self._view()
        header = view[info.header_offset:info.header_offset + 30]
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            return None
        name_len, extra_len = int.from_bytes(header[26:28], "little"), int.from_bytes(header[28:30], "little")
        start = info.header_offset + 30 + name_len + extra_len
        if info.compress_type == zipfile.ZIP_STORED:
            return view[start:start + min(info.compress_size, limit + 1)]
        raw = view[start:start + min(info.compress_size, 64 * limit + 1024)]
        try:
            return zlib.decompressobj(-15).decompress(raw, limit + 1)
        except zlib.error:
            raise InvalidInput("SCANS_CORRUPT", "压缩包中的扫描件已损坏，无法读取") from None

    def _view(self):
        """The zip's bytes to slice: memory-mapped (no system call per scan), the in-memory upload, or the
        sealed file's decrypting reader (which slices like a map, decrypting only what is read)."""
        if self._map is None:
            if isinstance(self._fp, io.BytesIO):
                self._map = self._fp.getvalue()
            elif isinstance(self._fp, DecryptingReader):
                self._map = self._fp
            else:
                self._map = mmap.mmap(self._fp.fileno(), 0, access=mmap.ACCESS_READ)
        return self._map

    def _read_zipfile(self, name: str, info: zipfile.ZipInfo, limit: int) -> bytes:
        def corrupt() -> InvalidInput:
            return InvalidInput("SCANS_CORRUPT", f"压缩包中的文件“{shown(name)}”已损坏，无法读取")

        try:
            with open_bounded(self._zf, info, limit + 1) as member:
                content = member.read(limit + 1)
        except READ_ERRORS:
            raise corrupt() from None
        if len(content) > limit or len(content) > info.file_size:
            raise InvalidInput("SCANS_ZIP_BOMB",
                               f"扫描件“{shown(name)}”解压后超过 {limit // 1024} KB 或超过声明大小，已拒收")
        if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
            raise corrupt()
        return content


def open_scans(source: bytes | Path) -> ScanArchive:
    """Open and check the scans zip; use as a context manager (closes the zip)."""
    if size_of(source) > max_scans_bytes():
        raise InvalidInput("SCANS_TOO_LARGE", f"扫描件压缩包过大，不能超过 {max_scans_bytes() // MB} MB")
    fp = _open(source)
    try:
        # The directory walk's ZipInfo objects (hundreds of megabytes for 300,000 files) are dropped once
        # indexed: reads go by ``Member``, and zipfile is reopened only for a rare other compression.
        with _open_scans_zip(fp) as zf:  # a ZipFile given a file object leaves it open on close
            return _index_scans(zf, fp)
    except BaseException:
        fp.close()
        raise


def _open(source: bytes | Path) -> BinaryIO:
    """The zip's bytes: in memory, or a local file (sealed by the storage: read through its decrypting
    reader, ``core.storage.open_local``)."""
    if isinstance(source, (bytes, bytearray, memoryview)):
        return open_binary(source)
    return open_local(source)


def _open_scans_zip(fp: BinaryIO) -> zipfile.ZipFile:
    not_zip = InvalidInput("SCANS_NOT_ZIP", "扫描件须打包为一个 zip 文件后上传")
    if not starts_like_zip(fp, allow_empty=True):
        raise not_zip
    limit = max_scan_members()
    count = central_entries(fp, limit)
    if count is None:
        raise not_zip
    if count > limit:
        raise InvalidInput("SCANS_TOO_MANY_FILES", f"扫描件压缩包中的文件过多，不能超过 {limit} 个")
    try:
        return zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise not_zip from None


def _index_scans(zf: zipfile.ZipFile, fp: BinaryIO) -> ScanArchive:
    infos = zf.infolist()
    if len(infos) > max_scan_members():
        raise InvalidInput("SCANS_TOO_MANY_FILES", f"扫描件压缩包中的文件过多，不能超过 {max_scan_members()} 个")
    limit, ratio = max_scan_bytes(), scan_max_ratio()
    members: dict[str, Member] = {}
    seen: dict[str, str] = {}
    index: dict[tuple[str, str], str] = {}
    unrecognised: list[str] = []
    for info in infos:
        raw, name = raw_name(info), decoded_name(info)
        if unsafe_name(raw) or unsafe_name(name) or is_symlink(info):
            raise InvalidInput("SCANS_UNSAFE_NAME", f"扫描件压缩包中含有不安全的文件名“{shown(name)}”，已拒收整个文件")
        if is_dir(name) or info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise InvalidInput("SCANS_ENCRYPTED", "扫描件压缩包不能设置密码，请重新打包后上传")
        key = _key(name)
        if key.lower().endswith(_ARCHIVE_EXTENSIONS):
            raise InvalidInput("SCANS_NESTED_ARCHIVE", "扫描件压缩包中不能再包含压缩包，请把扫描件直接放入一个 zip 文件")
        if info.file_size > limit or (info.file_size > SCAN_RATIO_FROM_BYTES
                                      and info.file_size > ratio * max(info.compress_size, 1)):
            raise InvalidInput("SCANS_ZIP_BOMB",
                               f"扫描件“{shown(key)}”过大或压缩比异常（单个文件不能超过 {limit // 1024} KB），已拒收")
        if key.lower() in seen:
            raise InvalidInput("SCANS_DUPLICATE_NAME", f"扫描件压缩包中有重名文件“{shown(key)}”，请只保留一个")
        seen[key.lower()] = key
        members[key] = Member(raw, info.header_offset, info.compress_size, info.file_size, info.CRC,
                              info.compress_type, info.flag_bits)
        match = _SCAN_NAME.match(key)
        if match is None:
            unrecognised.append(key)
            continue
        slot = (match.group("id").upper(), _KIND_BY_SUFFIX[match.group("suffix") or ""])
        if slot in index:
            raise InvalidInput("SCANS_DUPLICATE_NAME",
                               f"扫描件“{shown(key)}”与“{shown(index[slot])}”是同一证件号码的同类扫描件，请只保留一个")
        index[slot] = key
    return ScanArchive(fp, members, index, unrecognised)


def _key(name: str) -> str:
    """Base name, NFC, extension lower-cased."""
    base = name.replace("\\", "/").rpartition("/")[2]
    if not base.isascii():
        base = unicodedata.normalize("NFC", base)
    stem, dot, ext = base.rpartition(".")
    return f"{stem}.{ext.lower()}" if dot and stem else base


# -- scan checks ----------------------------------------------------------------------------------

def batch_photo_faces() -> bool:
    """Whether a batch photo is checked for its face too (``SSCARD_BATCH_PHOTO_FACES``)."""
    return bool(getattr(settings, "SSCARD_BATCH_PHOTO_FACES", DEFAULT_BATCH_PHOTO_FACES))


@dataclass(frozen=True)
class ScanRules:
    """What scans are checked against (settings and the catalogue's ``[unit.scans]``), read once per chunk
    of rows rather than once per scan."""

    max_bytes: int
    max_pixels: int
    min_side: int
    photo: PhotoRule
    photo_faces: bool

    @classmethod
    def current(cls) -> ScanRules:
        return cls(max_bytes=max_scan_bytes(), max_pixels=max_image_pixels(), min_side=min_image_side(),
                   photo=PhotoRule.current(), photo_faces=batch_photo_faces())


def _facts(content: bytes, rules: ScanRules):
    return inspect_image(content, max_bytes=rules.max_bytes, max_pixels=rules.max_pixels,
                         min_side=rules.min_side, decode=False)


def check_scan(content: bytes, rules: ScanRules | None = None) -> list[str]:
    """Problems (Chinese) of an ID card or hukou scan: a JPEG or PNG the archive accepts; [] when fine."""
    try:
        _facts(content, rules or ScanRules.current())
    except InvalidInput as exc:
        return [exc.message]
    return []


def check_photo(content: bytes, rules: ScanRules | None = None) -> list[str]:
    """Problems (Chinese) of a batch photo by the archive's photo rule ([]: fine); the face is checked
    when ``rules.photo_faces`` (``SSCARD_BATCH_PHOTO_FACES``)."""
    rules = rules or ScanRules.current()
    problems = photo_problems(content, faces=rules.photo_faces, rule=rules.photo, max_bytes=rules.max_bytes,
                              max_pixels=rules.max_pixels, min_side=rules.min_side)
    return [p.message for p in problems]
