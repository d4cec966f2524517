"""The error workbook: text only (no formulas), the reason column, re-submittable, deterministic."""

import io
import zipfile

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sscard.batches import columns as cols
from sscard.batches.error_workbook import REASON_HEADER, build_error_workbook, safe_text
from sscard.batches.workbook_reader import read_workbook
from sscard.core.errors import InvalidInput

ID = "11010119900307123X"
NEW, REISSUE = cols.NEW_CARD, cols.REISSUE


def _values(**overrides) -> list[str]:
    values = ["1", "张三", "居民身份证", ID, "男", "汉族", "1990-03-07", "中国", "长期", "13800138000",
              "重庆市渝中区解放碑 1 号", "中国银行", "", "", ""]
    for idx, value in overrides.items():
        values[int(idx[1:])] = value
    return values


INJECTIONS = ["=1+1", "+86 138", "-5", "@SUM(A1)", "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\",\"点我\")"]


def _rows():
    return [
        (_values(), "证件号码校验位错误"),
        (_values(o0="2", o1=INJECTIONS[0], o10=INJECTIONS[4], o11=INJECTIONS[3]), "=服务银行不在列表中"),
        (_values(o0="3", o1=INJECTIONS[1], o3=INJECTIONS[2], o10=INJECTIONS[5], o14=INJECTIONS[1]),
         "缺少照片扫描件"),
    ]


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_sheet_headers_reason_and_formats():
    wb = _open(build_error_workbook(NEW, _rows()))
    assert wb.sheetnames == [cols.SHEET_TITLES[NEW]]
    ws = wb.active
    header = [c.value for c in ws[1]]
    assert header == cols.headers(NEW) + [REASON_HEADER]
    assert all(c.font.b for c in ws[1])
    assert ws.freeze_panes == "A2"
    assert ws.cell(row=2, column=16).value == "证件号码校验位错误"
    for idx, column in enumerate(cols.columns(NEW), start=1):
        cell = ws.cell(row=2, column=idx)
        assert (cell.number_format == "@") == column.text, column.header
        if column.text:
            letter = openpyxl.utils.get_column_letter(idx)
            assert ws.column_dimensions[letter].number_format == "@"
    assert ws.cell(row=2, column=4).value == ID and ws.cell(row=2, column=4).data_type == "s"


def test_no_formula_cells_and_apostrophe_before_formula_like_values():
    ws = _open(build_error_workbook(NEW, _rows())).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type != "f" for c in cells)
    assert ws["B3"].value == "'=1+1" and ws["K3"].value == "'=cmd|' /C calc'!A0"
    assert ws["L3"].value == "'@SUM(A1)"
    assert ws["P3"].value == "'=服务银行不在列表中"
    assert ws["B4"].value == "'+86 138" and ws["D4"].value == "'-5" and ws["O4"].value == "'+86 138"
    assert ws["A2"].value == "1" and ws["B2"].value == "张三"


@pytest.mark.parametrize(("value", "written"), [
    ("=1", "'=1"), ("  =1", "'  =1"), ("\t=1", "'\t=1"), ("\rabc", "'\rabc"), ("\tabc", "'\tabc"),
    ("-", "'-"), ("\ufffe=", "'="),
    ("a=1", "a=1"), ("'quoted", "'quoted"), ("", ""), (None, ""), (12, "12"), ("bell\x07", "bell"),
])
def test_safe_text(value, written):
    assert safe_text(value) == written


def test_corrected_error_workbook_can_be_submitted_again():
    rows = _rows()
    book = read_workbook(build_error_workbook(NEW, rows), kind=NEW)
    assert [list(r.values) for r in book.rows] == [values for values, _ in rows]
    assert [r.line_no for r in book.rows] == [2, 3, 4]
    assert all(r.numeric == frozenset() for r in book.rows)
    with CalamineWorkbook.from_filelike(io.BytesIO(build_error_workbook(NEW, rows))) as raw:
        data = raw.get_sheet_by_index(0).to_python()
    assert data[0][-1] == REASON_HEADER and data[2][-1] == "'=服务银行不在列表中"


def test_reissue_error_workbook_round_trips():
    values = _values() + ["补领", "丢失", "否"]
    data = build_error_workbook(REISSUE, [(values, "卡状态不允许补领")])
    ws = _open(data).active
    assert ws.title == cols.SHEET_TITLES[REISSUE]
    assert [c.value for c in ws[1]][-2:] == ["是否更换照片", REASON_HEADER]
    assert list(read_workbook(data, kind=REISSUE).rows[0].values) == values


def test_short_rows_padded_and_illegal_characters_dropped():
    data = build_error_workbook(NEW, [(["5", "李四\x00\x01"], "缺少证件号码")])
    book = read_workbook(data, kind=NEW)
    assert book.rows[0].values[:3] == ("5", "李四", "") and len(book.rows[0].values) == 15


def test_deterministic_bytes():
    first, second = build_error_workbook(NEW, _rows()), build_error_workbook(NEW, iter(_rows()))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 1, 1, 0, 0, 0)}
        assert zf.testzip() is None
    props = _open(first).properties
    assert props.created.year == 2024 and props.modified.year == 2024


def test_no_rows_gives_header_only():
    data = build_error_workbook(NEW, [])
    assert [c.value for c in _open(data).active[1]][-1] == REASON_HEADER
    with pytest.raises(InvalidInput) as info:
        read_workbook(data, kind=NEW)
    assert info.value.code == "WORKBOOK_EMPTY"
