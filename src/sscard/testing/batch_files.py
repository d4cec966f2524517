"""Builders of employer batch files for tests and the benchmark: detail sheets, scans zips, rows.

``person_row`` makes one valid row (adult or minor) with a fresh ID number; ``workbook`` writes rows as
text cells under the template's headers; ``scans_zip`` names each person's scans as the importer
expects (``columns.GENERAL_RULES``).
"""

import datetime as dt
import functools
import io
import itertools
import zipfile

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from sscard.batches import columns as cols
from sscard.core import clock
from sscard.testing.factories import id_number_for, jpeg_bytes
from sscard.testing.photos import photo_bytes

_serial = itertools.count(1)
ADULT_SCANS = ("_正面", "_反面")
MINOR_SCANS = ("_户口本人页", "_户口增减页")


def fresh_id(birth: dt.date, *, area: str = "500103") -> str:
    """A valid ID number never used before in this process (serial walks 0..999 per area and birth date)."""
    n = next(_serial)
    return id_number_for(birth - dt.timedelta(days=n // 499), area=area, serial=n % 499)


def person_row(*, birth: dt.date | None = None, name: str = "李四", kind: str = cols.NEW_CARD, **over) -> dict:
    birth = birth or dt.date(1990, 3, 1)
    number = over.pop("doc_number", None) or fresh_id(birth)
    gender = "男" if int(number[16]) % 2 else "女"
    row = {"seq": "1", "name": name, "doc_type": "居民身份证", "doc_number": number, "gender": gender,
           "ethnicity": "汉族", "birth_date": f"{int(number[6:10]):04d}-{number[10:12]}-{number[12:14]}",
           "nationality": "中国", "doc_valid_until": "长期", "phone": "13912345678",
           "address": "重庆市渝北区金开大道99号", "service_bank": "中国工商银行",
           "guardian_doc_type": "", "guardian_doc_number": "", "guardian_name": ""}
    if kind == cols.REISSUE:
        row.update({"business": "换领", "reason": "损坏", "photo_changed": "否"})
    row.update(over)
    return row


def minor_row(guardian_number: str, **over) -> dict:
    birth = clock.today().replace(year=clock.today().year - 9)
    return person_row(birth=birth, name="王小", guardian_doc_type="居民身份证", guardian_doc_number=guardian_number,
                      guardian_name="王大", **over)


def workbook(kind: str, rows: list[dict], *, headers: list[str] | None = None, numeric: tuple[str, ...] = ()) -> bytes:
    """The rows as a detail sheet: text cells (never formulas); columns in ``numeric`` typed as numbers."""
    wb = Workbook(write_only=True)
    ws = wb.create_sheet(cols.SHEET_TITLES[kind])
    keys = [c.key for c in cols.columns(kind)]
    ws.append(headers or cols.headers(kind))
    for i, row in enumerate(rows, start=1):
        cells = []
        for key in keys:
            value = row.get("seq") or str(i) if key == "seq" else str(row.get(key, ""))
            if key in numeric and value.isdigit():
                cells.append(int(value))
                continue
            cell = WriteOnlyCell(ws, value=value)
            cell.data_type = "s"
            cells.append(cell)
        ws.append(cells)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def photo() -> bytes:
    """A batch photo that passes the photo rule, face included (the drawn one of ``testing.photos``)."""
    return photo_bytes()


@functools.cache
def scan() -> bytes:
    return jpeg_bytes(320, 200, color=(230, 230, 230))


def scan_files(row: dict, *, photo_too: bool = True) -> dict[str, bytes]:
    """The scans a row needs: photo + ID front/back (adults) or hukou pages (minors)."""
    number = row["doc_number"]
    minor = bool(row.get("guardian_doc_number"))
    files = {f"{number}{suffix}.jpg": scan() for suffix in (MINOR_SCANS if minor else ADULT_SCANS)}
    if photo_too:
        files[f"{number}.jpg"] = photo()
    return files


def scans_zip(files: dict[str, bytes]) -> bytes:
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        for name, content in files.items():
            zf.writestr(name, content)
    return buf.getvalue()


def scans_for(rows: list[dict]) -> bytes:
    files: dict[str, bytes] = {}
    for row in rows:
        files.update(scan_files(row))
    return scans_zip(files)
