"""Hostile-file-safe readers for employer batch submissions: the workbook, the scans zip, the scan checks.

Both files come from the internet.  Every refusal raises ``InvalidInput(code, 中文信息)``; nothing here
stores anything.  Defences, in the order applied:

* byte size of the upload; it must be a zip; the central directory is counted *before* ``zipfile``
  builds its member list (a forged directory of millions of entries cannot exhaust memory);
* declared sizes and compression ratios per member, total declared size (zip bombs); unsafe member
  names (path traversal, absolute paths, drive letters, NUL, symlinks);
* workbook only: every member is streamed once, checking that its real size equals the declared one
  (forged sizes), that no XML declares a DTD or entity (XXE, billion laughs) and that no worksheet
  puts a cell so far away that calamine would allocate a dense range of billions of cells (calamine
  aborts the whole process on such a sheet: a 1 KB file is enough);
* then python-calamine reads the one sheet, row by row.

Scans are read one at a time, never more than the byte limit + 1, whatever the zip declares.
"""

from __future__ import annotations

import copy
import datetime as dt
import html
import io
import math
import re
import stat
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path, PurePosixPath
from typing import BinaryIO, Iterator

from django.conf import settings
from PIL import Image

from sscard.archive.rules import inspect_image, max_image_bytes
from sscard.batches import columns as cols
from sscard.batches.error_workbook import REASON_HEADER
from sscard.core.errors import InvalidInput
from sscard.core.masking import mask_id_number

MB = 1024 * 1024
DEFAULT_MAX_WORKBOOK_BYTES = 64 * MB
DEFAULT_MAX_UNZIPPED_BYTES = 600 * MB
DEFAULT_MAX_WORKBOOK_MEMBERS = 2000
DEFAULT_WORKBOOK_MAX_RATIO = 100
WORKBOOK_RATIO_FROM_BYTES = 1 * MB
# Cells of the dense range calamine allocates (last used row x last used column, 32 bytes each):
# 100,001 rows x 40 columns fit; a sheet using XFD1048576 does not.
DEFAULT_MAX_SHEET_CELLS = 4_000_000
DEFAULT_MAX_SCANS_BYTES = 4 * 1024 * MB
DEFAULT_SCAN_MAX_RATIO = 20
SCAN_RATIO_FROM_BYTES = 64 * 1024
DEFAULT_PHOTO_SIZE = (358, 441)
DEFAULT_PHOTO_MIN_WHITE = 200
PHOTO_BORDER_PX = 8

SCAN_KINDS = {"photo": "", "id_front": "正面", "id_back": "反面", "hukou_own": "户口本人页",
              "hukou_change": "户口增减页"}
_KIND_BY_SUFFIX = {suffix: kind for kind, suffix in SCAN_KINDS.items()}
_SCAN_NAME = re.compile(r"^(?P<id>[0-9A-Za-z][0-9A-Za-z-]{0,39})(?:_(?P<suffix>正面|反面|户口本人页|户口增减页))?"
                        r"\.(?:jpg|jpeg|png)$")
_ARCHIVE_EXTENSIONS = (".zip", ".zipx", ".rar", ".7z", ".tar", ".gz", ".tgz", ".bz2", ".tbz", ".xz", ".txz",
                       ".zst", ".lz", ".lzma", ".z", ".cab", ".arj", ".lzh", ".iso", ".jar", ".apk")
_FORMULA_START = ("=", "+", "-", "@")
_CHUNK = 1 * MB
_MAX_PENDING_TAG = 1 * MB
_NAME_IN_MESSAGE = 80
_MAX_DIRECTORY_ENTRY_BYTES = 1024  # average size of a central directory entry (46 bytes + name + extra)
_SHARED_MAX_CHARS = 8
_SHARED_MAX_VALUES = 10_000
_NO_NUMBERS: frozenset[int] = frozenset()
_ID_LIKE = re.compile(r"[0-9A-Za-z]{6,}")


# -- limits (Django settings, with defaults) -------------------------------------------------------

def _setting(name: str, default: int) -> int:
    return int(getattr(settings, name, default))


def max_workbook_bytes() -> int:
    return _setting("SSCARD_BATCH_MAX_WORKBOOK_BYTES", DEFAULT_MAX_WORKBOOK_BYTES)


def max_unzipped_bytes() -> int:
    """Total uncompressed size of the workbook's members."""
    return _setting("SSCARD_BATCH_MAX_UNZIPPED_BYTES", DEFAULT_MAX_UNZIPPED_BYTES)


def max_workbook_members() -> int:
    return _setting("SSCARD_BATCH_MAX_WORKBOOK_MEMBERS", DEFAULT_MAX_WORKBOOK_MEMBERS)


def workbook_max_ratio() -> int:
    return _setting("SSCARD_BATCH_WORKBOOK_MAX_RATIO", DEFAULT_WORKBOOK_MAX_RATIO)


def max_sheet_cells() -> int:
    return _setting("SSCARD_BATCH_MAX_SHEET_CELLS", DEFAULT_MAX_SHEET_CELLS)


def max_scans_bytes() -> int:
    """Size of the scans zip on disk."""
    return _setting("SSCARD_BATCH_MAX_SCANS_BYTES", DEFAULT_MAX_SCANS_BYTES)


def max_scan_bytes() -> int:
    """Size of one scan inside the zip (the archive's image limit unless overridden)."""
    return _setting("SSCARD_BATCH_MAX_SCAN_BYTES", max_image_bytes())


def max_scan_members() -> int:
    return _setting("SSCARD_BATCH_MAX_SCAN_MEMBERS", 5 * cols.MAX_DATA_ROWS + 10)


def scan_max_ratio() -> int:
    return _setting("SSCARD_BATCH_SCAN_MAX_RATIO", DEFAULT_SCAN_MAX_RATIO)


def photo_size() -> tuple[int, int]:
    width, height = getattr(settings, "SSCARD_BATCH_PHOTO_SIZE", DEFAULT_PHOTO_SIZE)
    return int(width), int(height)


def photo_min_white() -> int:
    """Minimum mean of each RGB channel along the photo's border for a white background."""
    return _setting("SSCARD_BATCH_PHOTO_MIN_WHITE", DEFAULT_PHOTO_MIN_WHITE)


# -- shared zip helpers ----------------------------------------------------------------------------

def _size_of(source: bytes | Path) -> int:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return len(source)
    return Path(source).stat().st_size


def _open_binary(source: bytes | Path) -> BinaryIO:
    if isinstance(source, (bytes, bytearray, memoryview)):
        return io.BytesIO(bytes(source))
    return open(source, "rb")


def _starts_like_zip(fp: BinaryIO, *, allow_empty: bool) -> bool:
    fp.seek(0)
    head = fp.read(4)
    fp.seek(0)
    return head == b"PK\x03\x04" or (allow_empty and head == b"PK\x05\x06")


def _central_entries(fp: BinaryIO, limit: int) -> int | None:
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


def _raw_name(info: zipfile.ZipInfo) -> str:
    return info.orig_filename  # zipfile cuts ``filename`` at a NUL; the original keeps it


def _decoded_name(info: zipfile.ZipInfo) -> str:
    """The member name; names without the UTF-8 flag are retried as UTF-8 then GBK (Windows zips in China)."""
    name = _raw_name(info)
    if not info.flag_bits & 0x800:
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


def _is_dir(name: str) -> bool:
    return name.endswith(("/", "\\"))


def _unsafe_name(name: str) -> bool:
    if "\x00" in name or name.startswith(("/", "\\")) or re.match(r"^[A-Za-z]:", name):
        return True
    parts = re.split(r"[\\/]", name)
    # ".." and its Windows spellings ("...", ".. ") that resolve to the parent folder.
    return any(".." in part and not part.strip(". ") for part in parts)


def _is_symlink(info: zipfile.ZipInfo) -> bool:
    return stat.S_ISLNK(info.external_attr >> 16)


def _shown(name: str) -> str:
    """A member name fit for a message: ID-like numbers masked, no control characters, at most 80 chars."""
    clean = "".join(ch if ch.isprintable() else "?" for ch in name)
    clean = _ID_LIKE.sub(lambda m: mask_id_number(m.group()) if sum(c.isdigit() for c in m.group()) >= 6
                         else m.group(), clean)
    return clean if len(clean) <= _NAME_IN_MESSAGE else clean[:_NAME_IN_MESSAGE - 1] + "…"


def _open_bounded(zf: zipfile.ZipFile, info: zipfile.ZipInfo, bound: int):
    """Open a member reading up to ``bound`` bytes, whatever its declared size, so a forged size shows.

    zipfile would stop at the declared size (and check the CRC of that much only), while another
    reader, calamine's, inflates the whole stream.  The caller compares the size and the CRC itself.
    """
    bounded = copy.copy(info)
    bounded.file_size = bound
    bounded.CRC = None  # checked by the caller once the size is known to be right
    return zf.open(bounded)


_READ_ERRORS = (zipfile.BadZipFile, zlib.error, EOFError, OSError, RuntimeError, NotImplementedError,
                ValueError)


# -- workbook --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class Row:
    line_no: int  # 1-based sheet row
    values: tuple[str, ...]  # one per column of columns(kind)
    numeric: frozenset[int] = frozenset()  # column indexes whose cell was a number, not text


@dataclass
class Workbook:
    headers: list[str]
    rows: list[Row] = field(default_factory=list)


def read_workbook(source: bytes | Path, *, kind: str) -> Workbook:
    """Read the data sheet of a 《制卡明细表》/《补换卡明细表》 submitted by an employer, refusing hostile files."""
    expected = cols.headers(kind)
    size = _size_of(source)
    if size > max_workbook_bytes():
        raise InvalidInput("WORKBOOK_TOO_LARGE", f"明细表文件过大，不能超过 {max_workbook_bytes() // MB} MB")
    with _open_binary(source) as fp:
        _check_workbook_zip(fp)
        fp.seek(0)
        return _read_sheet(fp, kind, expected)


def _not_xlsx() -> InvalidInput:
    return InvalidInput("WORKBOOK_NOT_XLSX", "不是 Excel 2007 及以上（.xlsx）文件；请用模板另存为 .xlsx 后上传，"
                                             "文件不能设置打开密码")


def _corrupt(detail: str = "") -> InvalidInput:
    return InvalidInput("WORKBOOK_CORRUPT", "Excel 文件已损坏或格式不正确，无法读取，请用模板重新填写后上传",
                        details={"reason": detail} if detail else None)


def _check_workbook_zip(fp: BinaryIO) -> None:
    if not _starts_like_zip(fp, allow_empty=False):
        raise _not_xlsx()
    count = _central_entries(fp, max_workbook_members())
    if count is None:
        raise _not_xlsx()
    if count > max_workbook_members():
        raise InvalidInput("WORKBOOK_TOO_LARGE", "Excel 文件内部的组成部分过多，不是正常的明细表")
    try:
        zf = zipfile.ZipFile(fp)
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        raise _not_xlsx() from None
    with zf:
        infos = zf.infolist()
        total = sum(i.file_size for i in infos)
        if total > max_unzipped_bytes():
            raise InvalidInput("WORKBOOK_TOO_LARGE",
                               f"Excel 文件解压后过大，不能超过 {max_unzipped_bytes() // MB} MB")
        ratio = workbook_max_ratio()
        for info in infos:
            if (info.file_size > WORKBOOK_RATIO_FROM_BYTES
                    and info.file_size > ratio * max(info.compress_size, 1)):
                raise InvalidInput("WORKBOOK_ZIP_BOMB", "Excel 文件的压缩比异常（疑似压缩炸弹），已拒收")
        for info in infos:
            if _unsafe_name(_raw_name(info)) or _is_symlink(info):
                raise InvalidInput("WORKBOOK_UNSAFE_NAME",
                                   f"Excel 文件内部含有不安全的路径“{_shown(_raw_name(info))}”，已拒收")
        cells = max_sheet_cells()
        for info in infos:
            if not info.is_dir():
                _scan_member(zf, info, cells)


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_cells: int) -> None:
    """Stream one member: real size equals declared size, no DTD/entity, no far-away cell."""
    xml = _XmlScan(max_cells)
    read, crc = 0, 0
    try:
        with _open_bounded(zf, info, info.file_size + 1) as member:
            while chunk := member.read(_CHUNK):
                read += len(chunk)
                if read > info.file_size:
                    raise InvalidInput("WORKBOOK_ZIP_BOMB", "Excel 文件内部成员的实际大小超过声明大小（疑似压缩炸弹），已拒收")
                crc = zlib.crc32(chunk, crc)
                xml.feed(chunk)
    except InvalidInput:
        raise
    except _READ_ERRORS as exc:
        raise _corrupt(type(exc).__name__) from None
    if read != info.file_size or crc != info.CRC:
        raise _corrupt("size or crc")
    xml.close()


_UNSAFE_XML = re.compile(rb"<!(?:doctype|entity)", re.IGNORECASE)
_UTF16_STARTS = (b"\xff\xfe", b"\xfe\xff", b"<\x00", b"\x00<", b"\x00\x00\xfe\xff", b"\x00\x00\x00<")
_ATTRS = rb"(?:\s+[^\s=/>\"']+\s*=\s*(?:\"[^\"]*\"|'[^']*'))*"
_PREFIX = rb"(?:[A-Za-z_][\w.\-]*:)?"
# General walk: a <row> or <c> start tag (any namespace prefix) with well-formed attributes, or such a tag
# start that is not well-formed (group "bad"): an unparsed tag could hide a reference, so it is refused.
_CELL_TAG = re.compile(rb"<" + _PREFIX + rb"(row|c)(" + _ATTRS + rb")\s*(/?)>"
                       rb"|(?P<bad><" + _PREFIX + rb"(?:row|c)(?=[\s/>]))")
_ATTR_R = re.compile(rb"(?:^|[\s\"'])(?:[\w.\-]+:)?r\s*=\s*(?:\"([^\"]*)\"|'([^']*)')")
_CELL_REF = re.compile(r"^\s*([A-Za-z]*)([0-9]*)\s*$")
# Fast path (whole chunk at C speed), valid only when every tag is the plain form Excel writes.
_FAST_PREFIXED = re.compile(rb":(?:c|row)[\s/>]")
_FAST_ANY_C = re.compile(rb"<c[\s/>]")
_FAST_ANY_ROW = re.compile(rb"<row[\s/>]")
_FAST_SPACED_R = re.compile(rb"r\s+=")
_FAST_C_LETTERS = re.compile(rb"<c r=\"([A-Za-z]+)")
_FAST_C_DIGITS = re.compile(rb"<c r=\"[A-Za-z]+([0-9]+)\"")
_FAST_ROW = re.compile(rb"<row r=\"([0-9]+)\"")


class _XmlScan:
    """Incremental checks of one zip member: refuse DTDs/entities and cells beyond the cell budget.

    Cell positions are followed as calamine places them (the last ``r`` reference of a cell, else the
    next column; a row's ``r``, else the next row), bounded above by every reading of the tag, so the
    bound is never below the range calamine allocates.  The fast path counts empty ``<c .../>`` cells
    too; when that rough bound is over budget the general walk decides, without them (calamine does not
    place empty cells, and Excel writes them for formatted ranges).
    """

    def __init__(self, max_cells: int):
        self.max_cells = max_cells
        self.started = False
        self.tail = b""  # last bytes of the previous chunk, for a DTD keyword split across chunks
        self.pending = b""  # an unterminated tag carried to the next chunk
        self.row = self.col = self.max_row = self.max_col = 0

    def feed(self, chunk: bytes) -> None:
        if not self.started:
            self.started = True
            if chunk.startswith(_UTF16_STARTS):
                raise InvalidInput("WORKBOOK_XML_UNSAFE", "Excel 文件内部的 XML 编码不受支持，已拒收")
        if _UNSAFE_XML.search(self.tail + chunk):
            raise InvalidInput("WORKBOOK_XML_UNSAFE", "Excel 文件内部含有不安全的 XML 声明（DTD/实体），已拒收")
        self.tail = chunk[-16:]
        data = self.pending + chunk
        cut = data.rfind(b"<")
        if cut != -1 and data.find(b">", cut) == -1:
            data, self.pending = data[:cut], data[cut:]
            if len(self.pending) > _MAX_PENDING_TAG:
                raise _corrupt("tag")
        else:
            self.pending = b""
        self._cells(data)

    def close(self) -> None:
        self._cells(self.pending)
        self.pending = b""

    def _cells(self, data: bytes) -> None:
        if not self._cells_fast(data):
            self._cells_slow(data)

    def _cells_fast(self, data: bytes) -> bool:
        """The usual case: every <c> and <row> tag starts with one plain, double-quoted ``r`` reference
        (and "r=" appears nowhere else in the chunk, so no tag has a second one).

        Returns False, having changed nothing, when the chunk is written otherwise or its rough bound
        (empty cells included) is over budget; the general walk then takes the chunk.
        """
        if b"<" not in data:
            return True
        if _FAST_PREFIXED.search(data):
            return False
        letters, digits = _FAST_C_LETTERS.findall(data), _FAST_C_DIGITS.findall(data)
        rows = _FAST_ROW.findall(data)
        n_cells = len(_FAST_ANY_C.findall(data))
        if not (len(letters) == len(digits) == n_cells and len(rows) == len(_FAST_ANY_ROW.findall(data))
                and data.count(b"r=") == n_cells + len(rows) and not _FAST_SPACED_R.search(data)):
            return False
        if letters:
            max_row = max(self.max_row, max(map(int, set(digits))))
            max_col = max(self.max_col, max(_column_number(x.decode("ascii")) for x in set(letters)))
            if max_row * max_col > self.max_cells:
                return False
            self.max_row, self.max_col = max_row, max_col
        last_c, last_row = data.rfind(b"<c "), data.rfind(b"<row ")
        if rows:
            self.row = int(rows[-1])
        if letters and last_c > last_row:
            self.col = _column_number(letters[-1].decode("ascii"))
        elif rows:
            self.col = 0
        return True

    def _cells_slow(self, data: bytes) -> None:
        for match in _CELL_TAG.finditer(data):
            if match.group("bad") is not None:
                raise _corrupt("cell tag")
            refs = _attr_r(match.group(2))
            if match.group(1) == b"row":
                self.row = max(map(_row_number, refs)) if refs else self.row + 1
                self.col = 0
                continue
            if not refs:
                self.col += 1
                rows, col_max = [self.row], self.col
            else:
                parsed = [_cell_ref(ref) for ref in refs]
                cols_ = [_column_number(letters) if letters else self.col + 1 for letters, _ in parsed]
                rows = [self.row] + [int(digits) for _, digits in parsed if digits]
                self.col, col_max = cols_[-1], max(cols_)
            if not match.group(3):  # <c .../> has no value: calamine does not place it
                self._extend(max(rows), col_max)

    def _extend(self, row: int, col: int) -> None:
        self.max_row = max(self.max_row, row)
        self.max_col = max(self.max_col, col)
        if self.max_row * self.max_col > self.max_cells:
            raise InvalidInput("WORKBOOK_TOO_LARGE", "工作表使用的单元格范围过大（有内容的单元格离表格太远），"
                                                     "请删除多余的行和列后重新提交")


def _attr_r(attrs: bytes) -> list[str]:
    """Every ``r`` attribute value of a tag (calamine uses the last one; the bound takes them all)."""
    out = []
    for match in _ATTR_R.finditer(attrs):
        raw = match.group(1) if match.group(1) is not None else match.group(2)
        out.append(html.unescape(raw.decode("latin-1")))
    return out


def _row_number(ref: str) -> int:
    ref = ref.strip()
    if not ref.isdigit():
        raise _corrupt("row reference")
    return int(ref)


def _cell_ref(ref: str) -> tuple[str, str]:
    match = _CELL_REF.match(ref)
    if match is None:
        raise _corrupt("cell reference")
    return match.group(1), match.group(2)


def _column_number(letters: str) -> int:
    number = 0
    for ch in letters.upper():
        number = number * 26 + (ord(ch) - 64)
    return number


def _read_sheet(fp: BinaryIO, kind: str, expected: list[str]) -> Workbook:
    from python_calamine import CalamineWorkbook

    try:
        book = CalamineWorkbook.from_filelike(fp)
        title = cols.SHEET_TITLES[kind]
        sheet = book.get_sheet_by_name(title) if title in book.sheet_names else book.get_sheet_by_index(0)
        start = sheet.start
        rows = sheet.iter_rows()
        return _collect(rows, start, kind, expected)
    except InvalidInput:
        raise
    except (KeyboardInterrupt, SystemExit, GeneratorExit, MemoryError):
        raise
    except BaseException as exc:  # noqa: BLE001 - a Rust panic is pyo3's PanicException, a BaseException
        raise _corrupt(type(exc).__name__) from None


def _collect(rows: Iterator[list], start: tuple[int, int] | None, kind: str, expected: list[str]) -> Workbook:
    if start is None:
        raise InvalidInput("WORKBOOK_EMPTY", "明细表中没有数据：请在表头下方逐行填写后再提交")
    first_row, first_col = start
    pad = [None] * first_col
    width = len(expected)
    header: list[str] | None = None
    out: list[Row] = []
    shared: dict[str, str] = {}  # one object per repeated short value ("男", "居民身份证", ...): saves memory
    for offset, raw in enumerate(rows):
        cells = pad + raw if first_col else raw
        if header is None:
            header = _check_header([_cell_text(v)[0] for v in cells], kind, expected)
            continue
        values, numeric = [], set()
        for idx, value in enumerate(cells[:width]):
            text, is_number = _cell_text(value)
            if len(text) <= _SHARED_MAX_CHARS and len(shared) < _SHARED_MAX_VALUES:
                text = shared.setdefault(text, text)
            values.append(text)
            if is_number:
                numeric.add(idx)
        if not any(values):
            continue
        if len(out) >= cols.MAX_DATA_ROWS:
            raise InvalidInput("WORKBOOK_TOO_MANY_ROWS", f"明细表数据超过 {cols.MAX_DATA_ROWS} 行，请分成多个文件提交")
        values.extend([""] * (width - len(values)))
        out.append(Row(line_no=first_row + offset + 1, values=tuple(values),
                       numeric=frozenset(numeric) if numeric else _NO_NUMBERS))
    if not out:
        raise InvalidInput("WORKBOOK_EMPTY", "明细表中没有数据：请在表头下方逐行填写后再提交")
    return Workbook(headers=list(expected), rows=out)


def _trimmed(header: list[str]) -> list[str]:
    end = len(header)
    while end and not header[end - 1]:
        end -= 1
    return header[:end]


def _matches(header: list[str], expected: list[str]) -> bool:
    return header == expected or header == expected + [REASON_HEADER]  # a corrected error workbook


def _check_header(header: list[str], kind: str, expected: list[str]) -> list[str]:
    header = _trimmed(header)
    if _matches(header, expected):
        return header
    for other in cols.KINDS:
        if other != kind and _matches(header, cols.headers(other)):
            raise InvalidInput("WORKBOOK_WRONG_KIND",
                               f"上传的是《{cols.SHEET_TITLES[other]}》，本业务应使用《{cols.SHEET_TITLES[kind]}》模板")
    for idx in range(max(len(header), len(expected))):
        want = expected[idx] if idx < len(expected) else ""
        got = header[idx] if idx < len(header) else ""
        if want != got:
            if want:
                message = f"表头第 {idx + 1} 列应为“{want}”，实际为“{got[:20]}”"
            else:
                message = f"表头第 {idx + 1} 列应为空，实际为“{got[:20]}”"
            raise InvalidInput("WORKBOOK_HEADER_MISMATCH", message + "；请使用最新模板，不要修改表头",
                               details={"column": idx + 1, "expected": want})
    raise InvalidInput("WORKBOOK_HEADER_MISMATCH", "表头与模板不一致，请使用最新模板")  # pragma: no cover


def _cell_text(value) -> tuple[str, bool]:
    """(text, was a number) of one calamine cell value."""
    if value is None:
        return "", False
    if isinstance(value, str):
        return _unquote(value.strip()), False
    if isinstance(value, bool):
        return ("是" if value else "否"), False
    if isinstance(value, int):
        return str(value), True
    if isinstance(value, float):
        if not math.isfinite(value):
            return str(value), True
        if value.is_integer():
            return str(int(value)), True
        return format(Decimal(repr(value)), "f"), True
    if isinstance(value, dt.datetime):
        return value.date().isoformat(), False
    if isinstance(value, dt.date):
        return value.isoformat(), False
    if isinstance(value, dt.time):
        return value.isoformat(), False
    return str(value).strip(), False


def _unquote(text: str) -> str:
    """Drop the apostrophe our error workbook puts before formula-like values (see error_workbook)."""
    if text.startswith("'"):
        rest = text[1:]
        if rest[:1] in ("\t", "\r", "\n") or rest.lstrip().startswith(_FORMULA_START):
            return rest.strip()
    return text


# -- scans zip ------------------------------------------------------------------------------------

class ScanArchive:
    """The scans zip, opened and checked; files keyed by their base name (NFC, extension lower-cased)."""

    def __init__(self, zf: zipfile.ZipFile, fp: BinaryIO, members: dict[str, zipfile.ZipInfo],
                 index: dict[tuple[str, str], str], unrecognised: list[str]):
        self._zf = zf
        self._fp = fp
        self._members = members
        self._index = index
        self.unrecognised = unrecognised

    def __enter__(self) -> ScanArchive:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def close(self) -> None:
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

    def read(self, name: str) -> bytes:
        """The bytes of file ``name``; never more than the scan limit is decompressed."""
        info = self._members[name]
        limit = max_scan_bytes()
        content = self._read_direct(info, limit)
        if content is not None:
            if len(content) > limit or len(content) > info.file_size:
                raise InvalidInput("SCANS_ZIP_BOMB",
                                   f"扫描件“{_shown(name)}”解压后超过 {limit // 1024} KB 或超过声明大小，已拒收")
            if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
                raise InvalidInput("SCANS_CORRUPT", f"压缩包中的文件“{_shown(name)}”已损坏，无法读取")
            return content
        return self._read_zipfile(name, info, limit)

    def _read_direct(self, info: zipfile.ZipInfo, limit: int) -> bytes | None:
        """Stored or deflated member read straight from its local header (~10x faster than
        ``ZipFile.open`` for hundreds of thousands of small scans); None: use zipfile instead."""
        if info.compress_type not in (zipfile.ZIP_STORED, zipfile.ZIP_DEFLATED) or info.flag_bits & 0x1:
            return None
        fp = self._fp
        fp.seek(info.header_offset)
        header = fp.read(30)
        if len(header) != 30 or header[:4] != b"PK\x03\x04":
            return None
        name_len, extra_len = int.from_bytes(header[26:28], "little"), int.from_bytes(header[28:30], "little")
        fp.seek(info.header_offset + 30 + name_len + extra_len)
        if info.compress_type == zipfile.ZIP_STORED:
            return fp.read(min(info.compress_size, limit + 1))
        raw = fp.read(min(info.compress_size, 64 * limit + 1024))
        try:
            return zlib.decompressobj(-15).decompress(raw, limit + 1)
        except zlib.error:
            raise InvalidInput("SCANS_CORRUPT", "压缩包中的扫描件已损坏，无法读取") from None

    def _read_zipfile(self, name: str, info: zipfile.ZipInfo, limit: int) -> bytes:
        def corrupt() -> InvalidInput:
            return InvalidInput("SCANS_CORRUPT", f"压缩包中的文件“{_shown(name)}”已损坏，无法读取")

        try:
            with _open_bounded(self._zf, info, limit + 1) as member:
                content = member.read(limit + 1)
        except _READ_ERRORS:
            raise corrupt() from None
        if len(content) > limit or len(content) > info.file_size:
            raise InvalidInput("SCANS_ZIP_BOMB",
                               f"扫描件“{_shown(name)}”解压后超过 {limit // 1024} KB 或超过声明大小，已拒收")
        if len(content) != info.file_size or zlib.crc32(content) != info.CRC:
            raise corrupt()
        return content


def open_scans(source: bytes | Path) -> ScanArchive:
    """Open and check the scans zip; use as a context manager (closes the zip)."""
    if _size_of(source) > max_scans_bytes():
        raise InvalidInput("SCANS_TOO_LARGE", f"扫描件压缩包过大，不能超过 {max_scans_bytes() // MB} MB")
    fp = _open_binary(source)
    try:
        zf = _open_scans_zip(fp)
        try:
            return _index_scans(zf, fp)
        except BaseException:
            zf.close()
            raise
    except BaseException:
        fp.close()
        raise


def _open_scans_zip(fp: BinaryIO) -> zipfile.ZipFile:
    not_zip = InvalidInput("SCANS_NOT_ZIP", "扫描件须打包为一个 zip 文件后上传")
    if not _starts_like_zip(fp, allow_empty=True):
        raise not_zip
    limit = max_scan_members()
    count = _central_entries(fp, limit)
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
    members: dict[str, zipfile.ZipInfo] = {}
    seen: dict[str, str] = {}
    index: dict[tuple[str, str], str] = {}
    unrecognised: list[str] = []
    for info in infos:
        raw, name = _raw_name(info), _decoded_name(info)
        if _unsafe_name(raw) or _unsafe_name(name) or _is_symlink(info):
            raise InvalidInput("SCANS_UNSAFE_NAME", f"扫描件压缩包中含有不安全的文件名“{_shown(name)}”，已拒收整个文件")
        if _is_dir(name) or info.is_dir():
            continue
        if info.flag_bits & 0x1:
            raise InvalidInput("SCANS_ENCRYPTED", "扫描件压缩包不能设置密码，请重新打包后上传")
        key = _key(name)
        if key.lower().endswith(_ARCHIVE_EXTENSIONS):
            raise InvalidInput("SCANS_NESTED_ARCHIVE", "扫描件压缩包中不能再包含压缩包，请把扫描件直接放入一个 zip 文件")
        if info.file_size > limit or (info.file_size > SCAN_RATIO_FROM_BYTES
                                      and info.file_size > ratio * max(info.compress_size, 1)):
            raise InvalidInput("SCANS_ZIP_BOMB",
                               f"扫描件“{_shown(key)}”过大或压缩比异常（单个文件不能超过 {limit // 1024} KB），已拒收")
        if key.lower() in seen:
            raise InvalidInput("SCANS_DUPLICATE_NAME", f"扫描件压缩包中有重名文件“{_shown(key)}”，请只保留一个")
        seen[key.lower()] = key
        members[key] = info
        match = _SCAN_NAME.match(key)
        if match is None:
            unrecognised.append(key)
            continue
        slot = (match.group("id").upper(), _KIND_BY_SUFFIX[match.group("suffix") or ""])
        if slot in index:
            raise InvalidInput("SCANS_DUPLICATE_NAME",
                               f"扫描件“{_shown(key)}”与“{_shown(index[slot])}”是同一证件号码的同类扫描件，请只保留一个")
        index[slot] = key
    return ScanArchive(zf, fp, members, index, unrecognised)


def _key(name: str) -> str:
    """Base name, NFC, extension lower-cased."""
    base = unicodedata.normalize("NFC", PurePosixPath(name.replace("\\", "/")).name)
    stem, dot, ext = base.rpartition(".")
    return f"{stem}.{ext.lower()}" if dot and stem else base


# -- scan checks ----------------------------------------------------------------------------------

def check_scan(content: bytes) -> list[str]:
    """Problems (Chinese) of an ID card or hukou scan: a JPEG or PNG the archive accepts; [] when fine."""
    try:
        inspect_image(content, max_bytes=max_scan_bytes(), decode=False)
    except InvalidInput as exc:
        return [exc.message]
    return []


def check_photo(content: bytes) -> list[str]:
    """Problems (Chinese) of a batch photo: JPEG, exactly the configured size, white background ([]: fine)."""
    try:
        facts = inspect_image(content, max_bytes=max_scan_bytes(), decode=False)
    except InvalidInput as exc:
        return [exc.message]
    problems = []
    if facts.format != "JPEG":
        problems.append("照片须为 JPEG 格式")
    width, height = photo_size()
    if (facts.width, facts.height) != (width, height):
        problems.append(f"照片尺寸应为 {width}×{height} 像素，实际为 {facts.width}×{facts.height} 像素")
    if not _white_border(content, facts.width, facts.height):
        problems.append("照片背景应为白色")
    return problems


def _white_border(content: bytes, width: int, height: int) -> bool:
    """Mean of each RGB channel along the top and the sides of the top half is at least the minimum.

    A JPEG is decoded at 1/8 scale (DC coefficients only: every block is still read, so a corrupt stream
    fails here), which is all a border mean needs.
    """
    try:
        with Image.open(io.BytesIO(content)) as image:
            if image.format == "JPEG":
                image.draft("RGB", (max(1, width // 8), max(1, height // 8)))
            image.load()
            small = image if image.mode == "RGB" else image.convert("RGB")
    except (OSError, ValueError, SyntaxError):  # corrupt data, or a mode Pillow cannot turn into RGB
        return False
    if small.width > 128:
        small = small.resize((128, max(1, round(small.height * 128 / small.width))), Image.Resampling.BOX)
    strip = max(1, round(PHOTO_BORDER_PX * small.width / width))
    w, h = small.size
    half = max(strip + 1, h // 2)
    boxes = [(0, 0, w, strip), (0, strip, strip, half), (max(0, w - strip), strip, w, half)]
    totals, pixels = [0.0, 0.0, 0.0], 0
    for box in boxes:
        count = (box[2] - box[0]) * (box[3] - box[1])
        if count <= 0:
            continue
        mean = small.resize((1, 1), Image.Resampling.BOX, box=box).getpixel((0, 0))  # region mean, in C
        for channel in range(3):
            totals[channel] += mean[channel] * count
        pixels += count
    minimum = photo_min_white()
    return bool(pixels) and all(total / pixels >= minimum for total in totals)
