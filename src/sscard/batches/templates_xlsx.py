"""The downloadable batch templates: 《制卡明细表》 and 《补换卡明细表》 as .xlsx workbooks.

Rule: the template is built from ``sscard.batches.columns`` only, so the headers, drop-downs and text
formats a unit fills in are the ones the importer expects.  The output is deterministic (fixed document
timestamps and zip entry times): the same columns always give the same bytes.
"""

import datetime as dt
import io
from zipfile import ZIP_DEFLATED, ZipFile, ZipInfo

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.utils import get_column_letter, quote_sheetname
from openpyxl.worksheet.datavalidation import DataValidation
from openpyxl.writer.excel import ExcelWriter

from sscard.batches import columns as cols

LISTS_SHEET = "_lists"
INSTRUCTIONS_SHEET = "填写说明"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_NAMES = {cols.NEW_CARD: "制卡明细表.xlsx", cols.REISSUE: "补换卡明细表.xlsx"}

INLINE_LIST_MAX_CHARS = 255  # Excel's limit on an inline list formula
INLINE_LIST_MAX_VALUES = 12  # longer lists go to the hidden sheet even when short enough
_FIXED_TIME = dt.datetime(2024, 1, 1)
_ZIP_TIME = (2024, 1, 1, 0, 0, 0)

_HEADER_FONT = Font(bold=True)
_REQUIRED_FONT = Font(bold=True, color="C00000")
_HEADER_FILL = PatternFill("solid", fgColor="DDEBF7")
_WRAP = Alignment(wrap_text=True, vertical="top")


def build_template(kind: str) -> bytes:
    """The .xlsx template of ``kind`` (``new_card`` or ``reissue``); KeyError for any other kind."""
    columns = cols.columns(kind)
    wb = Workbook()
    sheet = wb.active
    sheet.title = cols.SHEET_TITLES[kind]
    lists = wb.create_sheet(LISTS_SHEET)
    lists.sheet_state = "hidden"
    _write_data_sheet(sheet, lists, columns)
    _write_instructions(wb.create_sheet(INSTRUCTIONS_SHEET), kind, columns)
    wb.active = 0
    wb.properties.creator = "重庆市社会保障卡服务系统"
    wb.properties.title = cols.SHEET_TITLES[kind]
    wb.properties.created = _FIXED_TIME
    wb.properties.modified = _FIXED_TIME
    return _save(wb)


def _write_data_sheet(sheet, lists, columns) -> None:
    last_row = cols.MAX_DATA_ROWS + 1
    list_col = 0
    for idx, column in enumerate(columns, start=1):
        letter = get_column_letter(idx)
        cell = sheet.cell(row=1, column=idx, value=column.header)
        cell.font = _REQUIRED_FONT if column.required else _HEADER_FONT
        cell.fill = _HEADER_FILL
        dim = sheet.column_dimensions[letter]
        dim.width = column.width
        if column.text:
            dim.number_format = "@"  # column style: every row of the column is text, no per-cell cost
        if column.choices:
            formula = _inline_formula(column.choices)
            if formula is None:
                list_col += 1
                formula = _list_range(lists, list_col, column)
            sheet.add_data_validation(_validation(column, formula, f"{letter}2:{letter}{last_row}"))
    sheet.freeze_panes = "A2"


def _inline_formula(values) -> str | None:
    """An inline list formula, or None when the list is too long to be inline."""
    text = ",".join(values)
    if len(values) > INLINE_LIST_MAX_VALUES or len(text) + 2 > INLINE_LIST_MAX_CHARS:
        return None
    return f'"{text}"'


def _list_range(lists, list_col: int, column) -> str:
    """Write ``column.choices`` down a column of the hidden sheet and return the absolute range."""
    letter = get_column_letter(list_col)
    for row, value in enumerate(column.choices, start=1):
        lists.cell(row=row, column=list_col, value=value)
    return f"{quote_sheetname(LISTS_SHEET)}!${letter}$1:${letter}${len(column.choices)}"


def _validation(column, formula: str, sqref: str) -> DataValidation:
    dv = DataValidation(
        type="list", formula1=formula, allow_blank=True,
        showErrorMessage=True, errorStyle="stop" if column.strict else "warning",
        errorTitle=f"{column.header}填写有误", error=f"请从下拉列表中选择{column.header}",
        showInputMessage=True, promptTitle=column.header, prompt=column.note[:255],
    )
    dv.add(sqref)
    return dv


def _write_instructions(sheet, kind: str, columns) -> None:
    sheet.append([f"《{cols.SHEET_TITLES[kind]}》填写说明"])
    sheet["A1"].font = Font(bold=True, size=14)
    sheet.append([])
    sheet.append(["列名", "是否必填", "可选值", "格式", "说明"])
    for cell in sheet[3]:
        cell.font = _HEADER_FONT
        cell.fill = _HEADER_FILL
    for column in columns:
        sheet.append([
            column.header,
            "必填" if column.required else "条件必填或选填",
            "、".join(column.choices) if column.choices else "",
            "文本" if column.text else "",
            column.note,
        ])
    sheet.append([])
    sheet.append(["填写规则"])
    sheet.cell(row=sheet.max_row, column=1).font = _HEADER_FONT
    for number, rule in enumerate(cols.rules(kind), start=1):
        sheet.append([f"{number}. {rule}"])
    for letter, width in zip("ABCDE", (18, 16, 60, 8, 60)):
        sheet.column_dimensions[letter].width = width
    for row in sheet.iter_rows(min_row=4, max_row=3 + len(columns)):
        for cell in row:
            cell.alignment = _WRAP


class _FixedTimeZip(ZipFile):
    """A zip whose entries all carry the same timestamp, so equal content gives equal bytes."""

    def writestr(self, zinfo_or_arcname, data, *args, **kwargs):
        if isinstance(zinfo_or_arcname, str):
            zinfo_or_arcname = ZipInfo(zinfo_or_arcname, date_time=_ZIP_TIME)
            zinfo_or_arcname.compress_type = ZIP_DEFLATED
        return super().writestr(zinfo_or_arcname, data, *args, **kwargs)


def _save(wb: Workbook) -> bytes:
    buf = io.BytesIO()
    ExcelWriter(wb, _FixedTimeZip(buf, "w", ZIP_DEFLATED)).save()
    return buf.getvalue()
