"""Reading an employer's detail sheet (.xlsx) safely: zip defences (``zip_guard``), no macros (a VBA
project or an Excel 4 macro sheet, by member name or by what the content types and relationships declare:
macro-enabled .xlsm content renamed .xlsx), a streaming scan of every member for DTDs / entities and for
cells placed absurdly far (before calamine sees the file), then the one sheet read row by row into ``Row``
values, with the header checked against ``columns``.
"""

from __future__ import annotations

import datetime as dt
import html
import math
import re
import zipfile
import zlib
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import BinaryIO, Iterator

from python_calamine import CalamineWorkbook

from sscard.batches import columns as cols
from sscard.batches.error_workbook import REASON_HEADER
from sscard.batches.zip_guard import (
    MB,
    READ_ERRORS,
    central_entries,
    is_symlink,
    max_sheet_cells,
    max_unzipped_bytes,
    max_workbook_bytes,
    max_workbook_members,
    open_binary,
    open_bounded,
    raw_name,
    shown,
    size_of,
    starts_like_zip,
    unsafe_name,
    workbook_max_ratio,
)
from sscard.core.errors import InvalidInput

WORKBOOK_RATIO_FROM_BYTES = 1 * MB
_FORMULA_START = ("=", "+", "-", "@")
_CHUNK = 1 * MB
_MAX_PENDING_TAG = 1 * MB
_SHARED_MAX_CHARS = 8
_SHARED_MAX_VALUES = 10_000
_NO_NUMBERS: frozenset[int] = frozenset()



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
    size = size_of(source)
    if size > max_workbook_bytes():
        raise InvalidInput("WORKBOOK_TOO_LARGE", f"明细表文件过大，不能超过 {max_workbook_bytes() // MB} MB")
    with open_binary(source) as fp:
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
    if not starts_like_zip(fp, allow_empty=False):
        raise _not_xlsx()
    count = central_entries(fp, max_workbook_members())
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
            if unsafe_name(raw_name(info)) or is_symlink(info):
                raise InvalidInput("WORKBOOK_UNSAFE_NAME",
                                   f"Excel 文件内部含有不安全的路径“{shown(raw_name(info))}”，已拒收")
        for info in infos:
            if _MACRO_PART.search(raw_name(info)):
                raise _macros()
        cells = max_sheet_cells()
        for info in infos:
            if not info.is_dir():
                _scan_member(zf, info, cells)


# A VBA project (vbaProject.bin, its signatures) or an Excel 4 macro sheet, wherever it lies in the zip.
_MACRO_PART = re.compile(r"(?:^|[/\\])(?:vbaProject[^/\\]*\.bin$|(?:intl)?macrosheets?[/\\])", re.IGNORECASE)
# The same declared by [Content_Types].xml or a relationship part, under any member name.
_MACRO_DECLARED = re.compile(rb"vbaProject|macroEnabled|macrosheet", re.IGNORECASE)
_DECLARING = re.compile(r"(?:^\[Content_Types\]\.xml|\.rels)$", re.IGNORECASE)


def _macros() -> InvalidInput:
    return InvalidInput("WORKBOOK_MACROS", "明细表含有宏（VBA 工程或宏表），已拒收；请用下载的模板填写，"
                                           "另存为不含宏的 .xlsx 后上传")


def _scan_member(zf: zipfile.ZipFile, info: zipfile.ZipInfo, max_cells: int) -> None:
    """Stream one member: real size equals declared size, no DTD/entity, no far-away cell."""
    xml = _XmlScan(max_cells)
    read, crc = 0, 0
    declaring, tail = _DECLARING.search(raw_name(info)) is not None, b""
    try:
        with open_bounded(zf, info, info.file_size + 1) as member:
            while chunk := member.read(_CHUNK):
                read += len(chunk)
                if read > info.file_size:
                    raise InvalidInput("WORKBOOK_ZIP_BOMB", "Excel 文件内部成员的实际大小超过声明大小（疑似压缩炸弹），已拒收")
                crc = zlib.crc32(chunk, crc)
                if declaring:
                    if _MACRO_DECLARED.search(tail + chunk):  # the tail: a word cut by the chunk boundary
                        raise _macros()
                    tail = chunk[-16:]
                xml.feed(chunk)
    except InvalidInput:
        raise
    except READ_ERRORS as exc:
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
            if type(value) is str:  # most cells: text as typed
                text = value.strip()
                if text.startswith("'"):
                    text = _unquote(text)
            else:
                text, is_number = _cell_text(value)
                if is_number:
                    numeric.add(idx)
            if len(text) <= _SHARED_MAX_CHARS and len(shared) < _SHARED_MAX_VALUES:
                text = shared.setdefault(text, text)
            values.append(text)
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


