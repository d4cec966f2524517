"""Exchange files with the service bank (开户报盘/回盘) and the card vendor (制卡报盘/回盘): pure format code.

One format for the four kinds of file, UTF-8 text with "\\n" line ends::

    #SSCARD-EXCHANGE,v1,<kind>,<order_no>,<row_count>
    <CSV header: the kind's column keys>
    <CSV rows, csv module, QUOTE_MINIMAL>
    #END,<row_count>,<sha256 hex of all bytes before this line>

The trailer lets the reader refuse a truncated or half-written file.  ``write_exchange`` validates its
input and raises ``ValueError`` (a bad row there is our own bug); ``read_exchange`` is strict and raises
``InvalidInput`` with a stable code (the file comes from outside).  No database here.
"""

from __future__ import annotations

import csv
import hashlib
import io
import os
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sscard.core.errors import InvalidInput

BANK_OUT = "bank_out"
BANK_RESULT = "bank_result"
VENDOR_OUT = "vendor_out"
VENDOR_RESULT = "vendor_result"

KINDS = (BANK_OUT, BANK_RESULT, VENDOR_OUT, VENDOR_RESULT)
OUT_KINDS = (BANK_OUT, VENDOR_OUT)
RESULT_KINDS = (BANK_RESULT, VENDOR_RESULT)
RESULT_KIND_FOR: dict[str, str] = {BANK_OUT: BANK_RESULT, VENDOR_OUT: VENDOR_RESULT}

COLUMNS: dict[str, tuple[str, ...]] = {
    BANK_OUT: ("item_no", "name", "doc_type", "id_number", "gender", "birth_date", "phone", "address",
               "bank"),
    BANK_RESULT: ("item_no", "result", "account_no", "reason_code", "reason"),
    VENDOR_OUT: ("item_no", "name", "doc_type", "id_number", "gender", "birth_date", "nationality", "bank",
                 "account_no", "card_no", "photo_sha256"),
    VENDOR_RESULT: ("item_no", "result", "identification_code", "reason_code", "reason"),
}

RESULT_OK = "OK"
RESULT_FAIL = "FAIL"

# The column an OK row of a result kind must carry.
_OK_VALUE_COLUMN = {BANK_RESULT: "account_no", VENDOR_RESULT: "identification_code"}
_OK_VALUE_LABEL = {BANK_RESULT: "账号（account_no）", VENDOR_RESULT: "识别码（identification_code）"}

_MAGIC = "#SSCARD-EXCHANGE"
_VERSION = "v1"
_TRAILER_PREFIX = b"#END,"
_ORDER_NO = re.compile(r"[A-Z0-9-]{1,40}")
_COUNT = re.compile(r"0|[1-9][0-9]{0,9}")
_SHA256_HEX = re.compile(r"[0-9a-f]{64}")
_IDENTIFICATION_CODE = re.compile(r"[0-9A-F]{32}")
_FORBIDDEN_CHARS = ("\n", "\r", "\x00")
_FILENAME_PREFIX = {BANK_OUT: "BANK_OUT", BANK_RESULT: "BANK_RESULT", VENDOR_OUT: "VENDOR_OUT",
                    VENDOR_RESULT: "VENDOR_RESULT"}
_FILENAME = re.compile(r"(BANK_OUT|BANK_RESULT|VENDOR_OUT|VENDOR_RESULT)_([A-Z0-9-]{1,40})\.csv")
_KIND_BY_PREFIX = {prefix: kind for kind, prefix in _FILENAME_PREFIX.items()}

DEFAULT_MAX_BYTES = 256 * 1024 * 1024


@dataclass(frozen=True)
class ExchangeFile:
    """A file read and checked by ``read_exchange``; ``sha256`` is the digest of the whole content."""

    kind: str
    order_no: str
    rows: tuple[dict[str, str], ...]
    sha256: str


# --- writing -------------------------------------------------------------------------------------


def write_exchange(kind: str, order_no: str, rows: list[dict[str, str]]) -> bytes:
    """Render ``rows`` as an exchange file of ``kind`` for production order ``order_no``.

    Each row must have exactly the kind's columns; values are ``str`` (``None`` becomes ""), without
    newline, carriage return or NUL.  Item numbers are unique; result rows follow the OK/FAIL rules.
    Raises ``ValueError`` otherwise.  Same input, same bytes.
    """
    _check_kind(kind)
    if not isinstance(order_no, str) or not _ORDER_NO.fullmatch(order_no):
        raise ValueError("order_no must be 1-40 characters of A-Z, 0-9 and '-'")
    columns = COLUMNS[kind]
    body = io.StringIO()
    writer = csv.writer(body, lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(columns)
    seen: set[str] = set()
    for index, row in enumerate(rows, start=1):
        clean = _clean_row(kind, row, index)
        problem = _row_problem(kind, clean, seen)
        if problem:
            raise ValueError(f"row {index}: {problem}")
        seen.add(clean["item_no"])
        writer.writerow([clean[c] for c in columns])
    head = f"{_MAGIC},{_VERSION},{kind},{order_no},{len(rows)}\n".encode()
    content = head + body.getvalue().encode("utf-8")
    digest = hashlib.sha256(content).hexdigest()
    return content + f"#END,{len(rows)},{digest}\n".encode()


def _clean_row(kind: str, row: dict[str, str], index: int) -> dict[str, str]:
    if not isinstance(row, dict):
        raise ValueError(f"row {index}: a row must be a dict")
    expected = set(COLUMNS[kind])
    if set(row) != expected:
        missing = sorted(expected - set(row))
        extra = sorted(str(k) for k in set(row) - expected)
        raise ValueError(f"row {index}: columns differ from {kind} (missing {missing}, extra {extra})")
    clean: dict[str, str] = {}
    for key in COLUMNS[kind]:
        value = row[key]
        if value is None:
            value = ""
        if not isinstance(value, str):
            raise ValueError(f"row {index}: value of {key} must be str, not {type(value).__name__}")
        if any(ch in value for ch in _FORBIDDEN_CHARS):
            raise ValueError(f"row {index}: value of {key} contains a newline, carriage return or NUL")
        clean[key] = value
    return clean


# --- reading -------------------------------------------------------------------------------------


def read_exchange(content: bytes, *, kind: str, order_no: str | None = None,
                  max_bytes: int = DEFAULT_MAX_BYTES) -> ExchangeFile:
    """Check and parse an exchange file expected to be of ``kind`` (and of ``order_no`` if given).

    Raises ``InvalidInput``: EXCHANGE_FILE_TOO_LARGE, EXCHANGE_FILE_NOT_UTF8, EXCHANGE_FILE_TRUNCATED
    (no or incomplete trailer, row count or digest mismatch), EXCHANGE_FILE_FORMAT,
    EXCHANGE_KIND_MISMATCH, EXCHANGE_ORDER_MISMATCH, EXCHANGE_ROW_INVALID.
    """
    _check_kind(kind)
    if not isinstance(content, (bytes, bytearray, memoryview)):
        raise TypeError("read_exchange needs bytes")
    content = bytes(content)
    if len(content) > max_bytes:
        raise InvalidInput("EXCHANGE_FILE_TOO_LARGE", f"交换文件过大：超过 {max_bytes} 字节的上限",
                           details={"size": len(content), "max_bytes": max_bytes})
    body, trailer_count = _split_trailer(content)
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise _not_utf8() from exc
    lines = text.split("\n")
    lines.pop()  # body ends with "\n" (checked by _split_trailer), so the last piece is empty
    if not lines:
        raise InvalidInput("EXCHANGE_FILE_FORMAT", "交换文件缺少首行元数据")
    if "\r" in text:
        raise InvalidInput("EXCHANGE_FILE_FORMAT", "交换文件的行结束符必须为 LF（\\n），不得含回车符")
    file_kind, file_order_no, declared_count = _parse_metadata(lines[0])
    if file_kind != kind:
        raise InvalidInput("EXCHANGE_KIND_MISMATCH", "交换文件类型与预期不符",
                           details={"expected": kind, "actual": file_kind})
    if order_no is not None and file_order_no != order_no:
        raise InvalidInput("EXCHANGE_ORDER_MISMATCH", "交换文件所属的制卡批次（生产单）与预期不符",
                           details={"expected": order_no, "actual": file_order_no})
    if len(lines) < 2:
        raise InvalidInput("EXCHANGE_FILE_FORMAT", "交换文件缺少第 2 行表头", details={"line": 2})
    columns = COLUMNS[kind]
    if _parse_csv_line(lines[1], 2) != list(columns):
        raise InvalidInput("EXCHANGE_FILE_FORMAT", "交换文件第 2 行表头与该类型文件的列不一致",
                           details={"line": 2, "expected": list(columns)})
    row_lines = lines[2:]
    if declared_count != trailer_count or len(row_lines) != declared_count:
        raise InvalidInput("EXCHANGE_FILE_TRUNCATED", "交换文件记录数与首行或结束行声明的不一致，文件不完整",
                           details={"declared": declared_count, "trailer": trailer_count,
                                    "actual": len(row_lines)})
    rows: list[dict[str, str]] = []
    seen: set[str] = set()
    for offset, line in enumerate(row_lines):
        line_no = offset + 3
        values = _parse_csv_line(line, line_no)
        if len(values) != len(columns):
            raise InvalidInput("EXCHANGE_FILE_FORMAT",
                               f"交换文件第 {line_no} 行应有 {len(columns)} 列，实际为 {len(values)} 列",
                               details={"line": line_no})
        row = dict(zip(columns, values))
        if any("\x00" in v for v in values):
            raise InvalidInput("EXCHANGE_ROW_INVALID", f"交换文件第 {line_no} 行含有非法字符（NUL）",
                               details={"line": line_no})
        problem = _row_problem(kind, row, seen, chinese=True)
        if problem:
            raise InvalidInput("EXCHANGE_ROW_INVALID", f"交换文件第 {line_no} 行：{problem}",
                               details={"line": line_no})
        seen.add(row["item_no"])
        rows.append(row)
    return ExchangeFile(kind=file_kind, order_no=file_order_no, rows=tuple(rows),
                        sha256=hashlib.sha256(content).hexdigest())


def _split_trailer(content: bytes) -> tuple[bytes, int]:
    """Return (bytes before the trailer line, row count in the trailer) or raise TRUNCATED / NOT_UTF8."""
    problem = ""
    if not content.endswith(b"\n"):
        problem = "交换文件不完整：缺少结束行或结束行不完整"
    else:
        start = content.rfind(b"\n", 0, len(content) - 1) + 1
        body, trailer = content[:start], content[start:-1]
        parts = trailer.split(b",")
        if (not trailer.startswith(_TRAILER_PREFIX) or len(parts) != 3
                or not _COUNT.fullmatch(parts[1].decode("ascii", "replace"))
                or not _SHA256_HEX.fullmatch(parts[2].decode("ascii", "replace"))):
            problem = "交换文件不完整：缺少结束行或结束行格式不正确"
        elif hashlib.sha256(body).hexdigest() != parts[2].decode("ascii"):
            raise InvalidInput("EXCHANGE_FILE_TRUNCATED", "交换文件校验值不符：文件不完整或已损坏")
        else:
            return body, int(parts[1])
    # No usable trailer.  A file that is not UTF-8 at all (rather than cut in the middle of a
    # character) is more likely in a wrong encoding than truncated: say so.
    try:
        content.decode("utf-8")
    except UnicodeDecodeError as exc:
        if not (exc.reason == "unexpected end of data" and exc.end == len(content)):
            raise _not_utf8() from exc
    raise InvalidInput("EXCHANGE_FILE_TRUNCATED", problem)


def _not_utf8() -> InvalidInput:
    return InvalidInput("EXCHANGE_FILE_NOT_UTF8", "交换文件不是 UTF-8 编码的文本")


def _parse_metadata(line: str) -> tuple[str, str, int]:
    parts = line.split(",")
    if len(parts) != 5 or parts[0] != _MAGIC:
        raise InvalidInput("EXCHANGE_FILE_FORMAT", "交换文件第 1 行不是有效的元数据行", details={"line": 1})
    _, version, kind, order_no, count = parts
    if version != _VERSION:
        raise InvalidInput("EXCHANGE_FILE_FORMAT", "交换文件格式版本不受支持", details={"line": 1})
    if kind not in KINDS:
        raise InvalidInput("EXCHANGE_FILE_FORMAT", "交换文件第 1 行的文件类型无法识别", details={"line": 1})
    if not _ORDER_NO.fullmatch(order_no):
        raise InvalidInput("EXCHANGE_FILE_FORMAT", "交换文件第 1 行的生产单号格式不正确", details={"line": 1})
    if not _COUNT.fullmatch(count):
        raise InvalidInput("EXCHANGE_FILE_FORMAT", "交换文件第 1 行的记录数不是有效数字", details={"line": 1})
    return kind, order_no, int(count)


def _parse_csv_line(line: str, line_no: int) -> list[str]:
    if line == "":
        raise InvalidInput("EXCHANGE_FILE_FORMAT", f"交换文件第 {line_no} 行为空行", details={"line": line_no})
    try:
        parsed = list(csv.reader([line], strict=True))
    except csv.Error as exc:
        raise InvalidInput("EXCHANGE_FILE_FORMAT", f"交换文件第 {line_no} 行不是有效的 CSV（引号不匹配）",
                           details={"line": line_no}) from exc
    if len(parsed) != 1:
        raise InvalidInput("EXCHANGE_FILE_FORMAT", f"交换文件第 {line_no} 行不是有效的 CSV",
                           details={"line": line_no})
    return parsed[0]


# --- row rules (shared by writer and reader) ----------------------------------------------------


def _row_problem(kind: str, row: dict[str, str], seen: set[str], *, chinese: bool = False) -> str:
    """What is wrong with one row, or "" if nothing; English for the writer, Chinese for the reader."""

    def say(en: str, zh: str) -> str:
        return zh if chinese else en

    if row["item_no"] == "":
        return say("item_no is empty", "明细编号（item_no）为空")
    if row["item_no"] in seen:
        return say("duplicate item_no", "明细编号（item_no）与前面的行重复")
    if kind not in RESULT_KINDS:
        return ""
    value_column = _OK_VALUE_COLUMN[kind]
    result = row["result"]
    if result == RESULT_OK:
        if row[value_column] == "":
            return say(f"OK without {value_column}", f"结果为成功（OK）但缺少{_OK_VALUE_LABEL[kind]}")
        if kind == VENDOR_RESULT and not _IDENTIFICATION_CODE.fullmatch(row[value_column]):
            return say("identification_code must be 32 uppercase hex characters",
                       "识别码（identification_code）应为32位大写十六进制字符")
        if row["reason_code"] or row["reason"]:
            return say("OK with a reason", "结果为成功（OK）时失败原因代码和原因应为空")
        return ""
    if result == RESULT_FAIL:
        if row["reason_code"] == "" or row["reason"] == "":
            return say("FAIL without reason_code and reason", "结果为失败（FAIL）但缺少失败原因代码或原因说明")
        if row[value_column]:
            return say(f"FAIL with {value_column}", f"结果为失败（FAIL）时不应有{_OK_VALUE_LABEL[kind]}")
        return ""
    return say("result must be OK or FAIL", "处理结果（result）应为 OK 或 FAIL")


def _check_kind(kind: str) -> None:
    if kind not in KINDS:
        raise ValueError(f"unknown exchange file kind: {kind!r}")


# --- file names and atomic writes ---------------------------------------------------------------


def exchange_filename(kind: str, order_no: str) -> str:
    """``BANK_OUT_<order_no>.csv``, ``BANK_RESULT_...``, ``VENDOR_OUT_...``, ``VENDOR_RESULT_...``."""
    _check_kind(kind)
    if not isinstance(order_no, str) or not _ORDER_NO.fullmatch(order_no):
        raise ValueError("order_no must be 1-40 characters of A-Z, 0-9 and '-'")
    return f"{_FILENAME_PREFIX[kind]}_{order_no}.csv"


def parse_exchange_filename(name: str) -> tuple[str, str] | None:
    """(kind, order_no) for a name made by ``exchange_filename``; None for anything else."""
    if not isinstance(name, str):
        return None
    match = _FILENAME.fullmatch(name)
    if match is None:
        return None
    return _KIND_BY_PREFIX[match.group(1)], match.group(2)


def write_atomically(path: Path, content: bytes) -> None:
    """Write ``content`` to ``path`` so that readers see either no file or the whole file.

    Writes a hidden temporary file in the same directory, flushes it to disk, then ``os.replace``.
    """
    path = Path(path)
    fd, tmp_name = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(content)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp_name, path)
    except BaseException:
        try:
            os.unlink(tmp_name)
        except FileNotFoundError:
            pass
        raise
    _fsync_directory(path.parent)


def _fsync_directory(directory: Path) -> None:
    """Make the rename durable where the platform allows opening a directory."""
    flags = getattr(os, "O_DIRECTORY", None)
    if flags is None:
        return
    try:
        fd = os.open(directory, os.O_RDONLY | flags)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
