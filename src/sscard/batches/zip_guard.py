"""Zip defences shared by the employer-batch readers (``workbook_reader``, ``scans``): the limits, and
the checks of a zip before ``zipfile`` or calamine trusts it.

Both files come from the internet.  Every refusal raises ``InvalidInput(code, 中文信息)``; nothing here
stores anything.  Defences, in the order applied:

* byte size of the upload; it must be a zip; the central directory is counted *before* ``zipfile``
  builds its member list (a forged directory of millions of entries cannot exhaust memory);
* declared sizes and compression ratios per member, total declared size (zip bombs); unsafe member
  names (path traversal, absolute paths, drive letters, NUL, symlinks);
* workbook only (``workbook_reader``): every member is streamed once, checking that its real size equals
  the declared one (forged sizes), that no XML declares a DTD or entity (XXE, billion laughs) and that no
  worksheet puts a cell so far away that calamine would allocate a dense range of billions of cells
  (calamine aborts the whole process on such a sheet: a 1 KB file is enough); then python-calamine reads
  the one sheet, row by row;
* scans only (``scans``): files are read one at a time, never more than the byte limit + 1, whatever the
  zip declares.
"""

from __future__ import annotations

import copy
import io
import re
import stat
import zipfile
import zlib
from pathlib import Path
from typing import BinaryIO

from django.conf import settings

from sscard.archive.rules import max_image_bytes
from sscard.batches import columns as cols
from sscard.core.masking import mask_id_number

MB = 1024 * 1024
DEFAULT_MAX_WORKBOOK_BYTES = 64 * MB
DEFAULT_MAX_UNZIPPED_BYTES = 600 * MB
DEFAULT_MAX_WORKBOOK_MEMBERS = 2000
DEFAULT_WORKBOOK_MAX_RATIO = 100
# Cells of the dense range calamine allocates (last used row x last used column, 32 bytes each):
# 100,001 rows x 40 columns fit; a sheet using XFD1048576 does not.
DEFAULT_MAX_SHEET_CELLS = 4_000_000
DEFAULT_MAX_SCANS_BYTES = 4 * 1024 * MB
DEFAULT_SCAN_MAX_RATIO = 20
_NAME_IN_MESSAGE = 80
_MAX_DIRECTORY_ENTRY_BYTES = 1024  # average size of a central directory entry (46 bytes + name + extra)
_ID_LIKE = re.compile(r"[0-9A-Za-z]{6,}")

# -- limits (Django settings, with defaults) -------------------------------------------------------

def setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_workbook_bytes() -> int:
    return setting("SSCARD_BATCH_MAX_WORKBOOK_BYTES", DEFAULT_MAX_WORKBOOK_BYTES)


def max_unzipped_bytes() -> int:
    """Total uncompressed size of the workbook's members."""
    return setting("SSCARD_BATCH_MAX_UNZIPPED_BYTES", DEFAULT_MAX_UNZIPPED_BYTES)


def max_workbook_members() -> int:
    return setting("SSCARD_BATCH_MAX_WORKBOOK_MEMBERS", DEFAULT_MAX_WORKBOOK_MEMBERS)


def workbook_max_ratio() -> int:
    return setting("SSCARD_BATCH_WORKBOOK_MAX_RATIO", DEFAULT_WORKBOOK_MAX_RATIO)


def max_sheet_cells() -> int:
    return setting("SSCARD_BATCH_MAX_SHEET_CELLS", DEFAULT_MAX_SHEET_CELLS)


def max_scans_bytes() -> int:
    """Size of the scans zip on disk."""
    return setting("SSCARD_BATCH_MAX_SCANS_BYTES", DEFAULT_MAX_SCANS_BYTES)


def max_scan_bytes() -> int:
    """Size of one scan inside the zip (the archive's image limit unless overridden)."""
    return setting("SSCARD_BATCH_MAX_SCAN_BYTES", max_image_bytes())


def max_scan_members() -> int:
    return setting("SSCARD_BATCH_MAX_SCAN_MEMBERS", 5 * cols.MAX_DATA_ROWS + 10)


def scan_max_ratio() -> int:
    return setting("SSCARD_BATCH_SCAN_MAX_RATIO", DEFAULT_SCAN_MAX_RATIO)


# -- shared zip helpers ----------------------------------------------------------------------------

def size_of(source: bytes | Path) -> int:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    return Path(source).stat().st_size


def open_binary(source: bytes | Path) -> BinaryIO:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    return open(source, "rb")


def starts_like_zip(fp: BinaryIO, *, allow_empty: bool) -> bool:
    fp.seek(0)
    head = fp.read(4)
    fp.seek(0)
    return head == b"PK\x03\x04" or (allow_empty and head == b"PK\x05\x06")


def central_entries(fp: BinaryIO, limit: int) -> int | None:
    """Entries of the central directory as ``zipfile`` will walk it, counted up to ``limit + 1``.

    ``zipfile`` reads the directory's declared *byte size* into memory and creates one ZipInfo per
    46-byte header in it, ignoring the declared count; this walks the same headers first, reading
    nothing but the fixed part.  None when it is not a zip: no end-of-directory record, a directory
    that does not walk cleanly, or one bloated with over-long names and extra fields.
    """
    try:
        endrec = zipfile._EndRecData(fp)  # the same lookup zipfile uses, so both see one directory
    except (OSError, zipfile.BadZipFile):
        return None
    if not endrec:
        return None
    size_cd = endrec[zipfile._ECD_SIZE]
    start = endrec[zipfile._ECD_LOCATION] - size_cd
    if endrec[zipfile._ECD_SIGNATURE] == zipfile.stringEndArchive64:
        start -= zipfile.sizeEndCentDir64 + zipfile.sizeEndCentDir64Locator
    if start < 0:
        return None
    fp.seek(start)
    count = walked = 0
    while walked < size_cd and count <= limit:
        header = fp.read(46)
        if len(header) != 46 or header[:4] != zipfile.stringCentralDir:
            return None
        name_len, extra_len, comment_len = (int.from_bytes(header[i:i + 2], "little") for i in (28, 30, 32))
        fp.seek(name_len + extra_len + comment_len, io.SEEK_CUR)
        walked += 46 + name_len + extra_len + comment_len
        count += 1
    fp.seek(0)
    if count <= limit and (walked != size_cd or walked > count * _MAX_DIRECTORY_ENTRY_BYTES):
        return None
    return count


def raw_name(info: zipfile.ZipInfo) -> str:
    return info.orig_filename  # zipfile cuts ``filename`` at a NUL; the original keeps it


def decoded_name(info: zipfile.ZipInfo) -> str:
    """The member name; names without the UTF-8 flag are retried as UTF-8 then GBK (Windows zips in China)."""
    name = raw_name(info)
    if not info.flag_bits & 0x800 and not name.isascii():  # ASCII reads the same in every code page
        try:
            raw = name.encode("cp437")
        except UnicodeEncodeError:
            return name
        for encoding in ("utf-8", "gbk"):
            try:
                return raw.decode(encoding)
            except UnicodeDecodeError:
                continue
    return name


def is_dir(name: str) -> bool:
    return name.endswith(("/", "\\"))


_MAYBE_UNSAFE = re.compile(r"[\x00/\\]|\.\.|^[A-Za-z]:")


def unsafe_name(name: str) -> bool:
    if _MAYBE_UNSAFE.search(name) is None:  # the usual flat name: no separator, no "..", no drive
        return False
    if "\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    parts = re.split(r"[\\/]", name)
    # ".." and its Windows spellings ("...", ".. ") that resolve to the parent folder.
    return any(".." in part and not part.strip(". ") for part in parts)


def is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def shown(name: str) -> str:
    """A member name fit for a message: ID-like numbers masked, no control characters, at most 80 chars."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    clean = _ID_LIKE.sub(lambda m: mask_id_number(m.group()) if sum(c.isdigit() for c in m.group()) >= 6
                         else m.group(), clean)
    return clean if len(clean) <= _NAME_IN_MESSAGE else clean[:_NAME_IN_MESSAGE - 1] + "…"


def open_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, bound: int):
    """Open a member reading up to ``bound`` bytes, whatever its declared size, so a forged size shows.

    zipfile would stop at the declared size (and check the CRC of that much only), while another
    reader, calamine's, inflates the whole stream.  The caller compares the size and the CRC itself.
    """
    bounded = copy.copy(info)
    bounded.file_size = bound
    bounded.CRC = None  # checked by the caller once the size is known to be right
    return zf.open(bounded)


READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
                ValueError)


