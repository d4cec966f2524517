"""The error workbook: the row number, 序号, masked name and ID number and the reason; text only (no
formulas); phone and address never in it; deterministic."""

import io
import zipfile

import openpyxl
import pytest

from sscard.batches import columns as cols
from sscard.batches.error_workbook import REASON_HEADER, RefusedRow, build_error_workbook, safe_text

ID = "500101199003071234"
NEW, REISSUE = cols.NEW_CARD, cols.REISSUE
INJECTIONS = ["=1+1", "+86 138", "-5", "@SUM(A1)", "=cmd|' /C calc'!A0", "=HYPERLINK(\"http://x\",\"点我\")"]


def _rows():
    return [
        RefusedRow(2, "1", "张三", ID, "证件号码校验位错误"),
        RefusedRow(3, INJECTIONS[3], INJECTIONS[0], INJECTIONS[4], "=服务银行不在列表中"),
        RefusedRow(4, "3", "李四", "", "证件号码未填写"),
    ]


def _open(data: bytes):
    return openpyxl.load_workbook(io.BytesIO(data))


def test_headers_masked_values_and_formats():
    wb = _open(build_error_workbook(NEW, _rows()))
    assert wb.sheetnames == [cols.SHEET_TITLES[NEW]]
    ws = wb.active
    assert [c.value for c in ws[1]] == ["行号", "序号", "姓名", "证件号码", REASON_HEADER]
    assert all(c.font.b for c in ws[1]) and ws.freeze_panes == "A2"
    assert [c.value for c in ws[2]] == ["2", "1", "张*", "5001**********1234", "证件号码校验位错误"]
    assert all(c.data_type == "s" and c.number_format == "@" for c in ws[2])
    assert [c.value for c in ws[4]][:4] == ["4", "3", "李*", None]


def test_phone_address_and_full_number_never_written():
    data = build_error_workbook(NEW, _rows())
    with zipfile.ZipFile(io.BytesIO(data)) as zf:
        text = "".join(zf.read(n).decode("utf-8") for n in zf.namelist())
    assert ID not in text and "张三" not in text
    assert [c.value for c in _open(data).active[1]] == ["行号", "序号", "姓名", "证件号码", REASON_HEADER]


def test_no_formula_cells_and_apostrophe_before_formula_like_values():
    ws = _open(build_error_workbook(NEW, _rows())).active
    cells = [c for row in ws.iter_rows() for c in row if c.value is not None]
    assert cells and all(c.data_type != "f" for c in cells)
    assert ws["B3"].value == "'@SUM(A1)" and ws["C3"].value.startswith("'=")
    assert ws["D3"].value.startswith("'=") and "calc" not in ws["D3"].value  # masked, then escaped
    assert ws["E3"].value == "'=服务银行不在列表中"


@pytest.mark.parametrize(("value", "written"), [
    ("=1", "'=1"), ("  =1", "'  =1"), ("\t=1", "'\t=1"), ("\rabc", "'\rabc"), ("\tabc", "'\tabc"),
    ("-", "'-"), ("\ufffe=", "'="),
    ("a=1", "a=1"), ("'quoted", "'quoted"), ("", ""), (None, ""), (12, "12"), ("bell\x07", "bell"),
])
def test_safe_text(value, written):
    assert safe_text(value) == written


def test_reissue_sheet_title():
    ws = _open(build_error_workbook(REISSUE, [RefusedRow(2, "1", "王五", ID, "原因不在可选范围内")])).active
    assert ws.title == cols.SHEET_TITLES[REISSUE]
    assert [c.value for c in ws[2]][-1] == "原因不在可选范围内"


def test_illegal_characters_dropped():
    ws = _open(build_error_workbook(NEW, [RefusedRow(5, "5\x00", "李四\x00\x01", "", "缺少证件号码")])).active
    assert [c.value for c in ws[2]][:3] == ["5", "5", "李***"]


def test_deterministic_bytes():
    first, second = build_error_workbook(NEW, _rows()), build_error_workbook(NEW, iter(_rows()))
    assert first == second
    with zipfile.ZipFile(io.BytesIO(first)) as zf:
        assert {i.date_time for i in zf.infolist()} == {(2024, 1, 1, 0, 0, 0)}
        assert zf.testzip() is None
    props = _open(first).properties
    assert props.created.year == 2024 and props.modified.year == 2024


def test_no_rows_gives_header_only():
    ws = _open(build_error_workbook(NEW, [])).active
    assert ws.max_row == 1 and [c.value for c in ws[1]][-1] == REASON_HEADER
