"""The error workbook (错误回执): one line per refused row of a batch, saying which row and why.

What it holds: the row's number in the submitted sheet (行号) and the employer's own 序号, the name and the
ID number masked (``5001**********1234``), and the reason.  The handler submitted the rows and keeps the
sheet, so the row number and the reason are all that is needed to correct it; phone, address and the other
columns are not repeated, and nothing in it reveals another person's registered data (the validation's
reasons are worded so, see ``batches.applications``).  It is handed out only by
``error_workbook_download.batch_error_workbook_download`` (the submitting employer's handler, at the
outlet of the batch, audited).

Rule: every cell is written as text, never a formula; a value that a spreadsheet would run as a formula
(starting with = + - @, also after leading blanks, or starting with a tab or line break) gets a leading
apostrophe (CSV/formula injection).  The header is bold and frozen, and the bytes are deterministic (fixed
document properties and zip times).

The .xlsx parts are written here directly, streaming the sheet row by row: openpyxl's write-only mode
without lxml (not a dependency) takes about 45 s for 100,000 rows, this takes a few seconds.
"""

from __future__ import annotations

import io
from collections.abc import Iterable
from dataclasses import dataclass
from xml.sax.saxutils import escape
from zipfile import ZIP_DEFLATED, ZipInfo

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter

from sscard.batches import columns as cols
from sscard.batches.templates_xlsx import _ZIP_TIME, _FixedTimeZip
from sscard.core import masking

REASON_HEADER = "退回原因"
REASON_WIDTH = 48
# (header, width): the receipt's columns before the reason; all text.
RECEIPT_COLUMNS = (("行号", 8), ("序号", 8), ("姓名", 14), ("证件号码", 22))
MAX_CELL_CHARS = 32767  # Excel's limit on one cell
CREATOR = "重庆市社会保障卡服务系统"
_FIXED_W3CDTF = "2024-01-01T00:00:00Z"
_FORMULA_START = ("=", "+", "-", "@")
_ROWS_PER_WRITE = 1000

# Cell styles (indexes into cellXfs of _STYLES).
_S_HEADER, _S_REASON_HEADER, _S_TEXT, _S_REASON = 1, 2, 3, 4


def safe_text(value) -> str:
    """``value`` as cell text that no spreadsheet runs as a formula (see the module rule)."""
    text = "" if value is None else str(value)
    text = ILLEGAL_CHARACTERS_RE.sub("", text).replace("\ufffe", "").replace("\uffff", "")
    if text[:1] in ("\t", "\r", "\n") or text.lstrip().startswith(_FORMULA_START):
        text = "'" + text
    return text[:MAX_CELL_CHARS]


@dataclass(frozen=True)
class RefusedRow:
    """One refused row as the receipt shows it (``name`` and ``id_number`` in clear: masked here)."""

    line_no: int
    seq: str
    name: str
    id_number: str
    reason: str

    def cells(self) -> tuple[str, ...]:
        return (str(self.line_no), safe_text(self.seq), safe_text(masking.mask_name(self.name)),
                safe_text(masking.mask_id_number(self.id_number)))


def build_error_workbook(kind: str, rows: Iterable[RefusedRow]) -> bytes:
    """One sheet ``SHEET_TITLES[kind]``: 行号, 序号, 姓名 and 证件号码 (masked), 退回原因; a line per row."""
    title = cols.SHEET_TITLES[kind]
    buf = io.BytesIO()
    with _FixedTimeZip(buf, "w") as zf:
        zf.writestr("[Content_Types].xml", _CONTENT_TYPES)
        zf.writestr("_rels/.rels", _ROOT_RELS)
        zf.writestr("docProps/app.xml", _APP)
        zf.writestr("docProps/core.xml", _core(f"{title}错误回执"))
        zf.writestr("xl/workbook.xml", _workbook(title))
        zf.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        zf.writestr("xl/styles.xml", _STYLES)
        # The sheet is streamed: its entry (fixed time too) is opened by hand, writestr would need it whole.
        with zf.open(_entry("xl/worksheets/sheet1.xml"), "w") as out:
            for part in _sheet_parts(rows):
                out.write(part.encode("utf-8", "replace"))
    return buf.getvalue()


def _entry(name: str) -> ZipInfo:
    info = ZipInfo(name, date_time=_ZIP_TIME)
    info.compress_type = ZIP_DEFLATED
    return info


def _sheet_parts(rows: Iterable[RefusedRow]) -> Iterable[str]:
    width = len(RECEIPT_COLUMNS)
    letters = [get_column_letter(i) for i in range(1, width + 2)]
    col_xml = "".join(f'<col min="{i}" max="{i}" width="{w}" customWidth="1" style="{_S_TEXT}"/>'
                      for i, (_, w) in enumerate(RECEIPT_COLUMNS, start=1))
    col_xml += f'<col min="{width + 1}" max="{width + 1}" width="{REASON_WIDTH}" customWidth="1"/>'
    yield (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        '<sheetViews><sheetView workbookViewId="0"><pane ySplit="1" topLeftCell="A2" activePane="bottomLeft"'
        ' state="frozen"/><selection pane="bottomLeft" activeCell="A2" sqref="A2"/></sheetView></sheetViews>'
        '<sheetFormatPr defaultRowHeight="15"/>'
        f"<cols>{col_xml}</cols><sheetData>"
    )
    header = "".join(_cell(letters[i] + "1", h, _S_HEADER) for i, (h, _) in enumerate(RECEIPT_COLUMNS))
    header += _cell(letters[width] + "1", REASON_HEADER, _S_REASON_HEADER)
    batch = [f'<row r="1">{header}</row>']
    row_no = 1
    for row in rows:
        row_no += 1
        n = str(row_no)
        cells = [_cell(letters[idx] + n, value, _S_TEXT) if value
                 else f'<c r="{letters[idx]}{n}" s="{_S_TEXT}"/>' for idx, value in enumerate(row.cells())]
        cells.append(_cell(letters[width] + n, safe_text(row.reason), _S_REASON))
        batch.append(f'<row r="{n}">{"".join(cells)}</row>')
        if len(batch) >= _ROWS_PER_WRITE:
            yield "".join(batch)
            batch = []
    batch.append("</sheetData></worksheet>")
    yield "".join(batch)


def _cell(ref: str, value: str, style: int) -> str:
    """An inline-string cell: text by construction, never a formula."""
    space = ' xml:space="preserve"' if value != value.strip() else ""
    s = f' s="{style}"' if style else ""
    return f'<c r="{ref}"{s} t="inlineStr"><is><t{space}>{escape(value, _CR)}</t></is></c>'


_CR = {"\r": "&#13;"}


def _core(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<cp:coreProperties'
        ' xmlns:cp="http://schemas.openxmlformats.org/package/2006/metadata/core-properties"'
        ' xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:dcterms="http://purl.org/dc/terms/"'
        ' xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance">'
        f"<dc:title>{escape(title)}</dc:title><dc:creator>{escape(CREATOR)}</dc:creator>"
        f'<dcterms:created xsi:type="dcterms:W3CDTF">{_FIXED_W3CDTF}</dcterms:created>'
        f'<dcterms:modified xsi:type="dcterms:W3CDTF">{_FIXED_W3CDTF}</dcterms:modified>'
        "</cp:coreProperties>"
    )


def _workbook(title: str) -> str:
    return (
        '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
        '<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"'
        ' xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
        '<bookViews><workbookView activeTab="0"/></bookViews>'
        f'<sheets><sheet name="{escape(title)}" sheetId="1" r:id="rId1"/></sheets></workbook>'
    )


_CONTENT_TYPES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/>'
    '<Override PartName="/xl/workbook.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
    '<Override PartName="/xl/worksheets/sheet1.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>'
    '<Override PartName="/xl/styles.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.styles+xml"/>'
    '<Override PartName="/docProps/core.xml"'
    ' ContentType="application/vnd.openxmlformats-package.core-properties+xml"/>'
    '<Override PartName="/docProps/app.xml"'
    ' ContentType="application/vnd.openxmlformats-officedocument.extended-properties+xml"/>'
    "</Types>"
)

_ROOT_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1"'
    ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"'
    ' Target="xl/workbook.xml"/>'
    '<Relationship Id="rId2"'
    ' Type="http://schemas.openxmlformats.org/package/2006/relationships/metadata/core-properties"'
    ' Target="docProps/core.xml"/>'
    '<Relationship Id="rId3"'
    ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/extended-properties"'
    ' Target="docProps/app.xml"/>'
    "</Relationships>"
)

_WORKBOOK_RELS = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
    '<Relationship Id="rId1"'
    ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"'
    ' Target="worksheets/sheet1.xml"/>'
    '<Relationship Id="rId2"'
    ' Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/styles"'
    ' Target="styles.xml"/>'
    "</Relationships>"
)

_APP = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<Properties xmlns="http://schemas.openxmlformats.org/officeDocument/2006/extended-properties">'
    f"<Application>{CREATOR}</Application></Properties>"
)

# Fonts: 0 normal, 1 bold, 2 bold dark red.  Fills: 0 none, 1 gray125 (required), 2 header blue.
# cellXfs: 0 normal, 1 header, 2 reason header, 3 text ("@", numFmtId 49), 4 reason (text, wrapped).
_STYLES = (
    '<?xml version="1.0" encoding="UTF-8" standalone="yes"?>\n'
    '<styleSheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
    '<fonts count="3">'
    '<font><sz val="11"/><name val="等线"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><name val="等线"/><family val="2"/></font>'
    '<font><b/><sz val="11"/><color rgb="FFC00000"/><name val="等线"/><family val="2"/></font>'
    "</fonts>"
    '<fills count="3"><fill><patternFill patternType="none"/></fill>'
    '<fill><patternFill patternType="gray125"/></fill>'
    '<fill><patternFill patternType="solid"><fgColor rgb="FFDDEBF7"/><bgColor indexed="64"/></patternFill>'
    "</fill>"
    "</fills>"
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="5">'
    '<xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/>'
    '<xf numFmtId="0" fontId="1" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="0" fontId="2" fillId="2" borderId="0" xfId="0" applyFont="1" applyFill="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1"/>'
    '<xf numFmtId="49" fontId="0" fillId="0" borderId="0" xfId="0" applyNumberFormat="1" applyAlignment="1">'
    '<alignment vertical="top" wrapText="1"/></xf>'
    "</cellXfs>"
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles>'
    "</styleSheet>"
)
