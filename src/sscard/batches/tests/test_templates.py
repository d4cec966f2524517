"""The batch templates: headers, drop-downs, text formats and the instructions sheet."""

import io

import openpyxl
import pytest
from python_calamine import CalamineWorkbook

from sscard.batches import columns as cols
from sscard.batches.templates_xlsx import INSTRUCTIONS_SHEET, LISTS_SHEET, build_template

IDENTITY = ["序号", "姓名", "证件类型", "证件号码", "性别", "民族", "出生日期", "国籍", "证件有效期",
            "联系手机", "通讯地址", "服务银行", "监护人证件类型", "监护人证件号码", "监护人姓名"]


def _open(kind):
    return openpyxl.load_workbook(io.BytesIO(build_template(kind)))


def _validations(ws):
    """Header -> (formula1, sqref, errorStyle) for every list validation of the data sheet."""
    headers = [c.value for c in ws[1]]
    out = {}
    for dv in ws.data_validations.dataValidation:
        assert dv.type == "list"
        col = openpyxl.utils.column_index_from_string(str(dv.sqref).split(":")[0].rstrip("0123456789"))
        out[headers[col - 1]] = (dv.formula1, str(dv.sqref), dv.errorStyle)
    return out


def _list_values(wb, formula):
    if formula.startswith('"'):
        return formula.strip('"').split(",")
    sheet, rng = formula.split("!")
    assert sheet.strip("'") == LISTS_SHEET
    return [row[0].value for row in wb[LISTS_SHEET][rng.replace("$", "")]]


def test_column_definitions():
    assert cols.headers(cols.NEW_CARD) == IDENTITY
    assert cols.headers(cols.REISSUE) == IDENTITY + ["业务类型", "原因", "是否更换照片"]
    assert len(cols.ETHNIC_GROUPS) == 56 == len(set(cols.ETHNIC_GROUPS))
    assert cols.ETHNIC_GROUPS[0] == "汉族" and cols.NATIONALITIES[0] == "中国"
    assert "社会保障卡" not in cols.DOC_TYPE_CHOICES and "居民身份证" in cols.DOC_TYPE_CHOICES
    assert cols.REASON_BY_LABEL == {"损坏": "damaged", "丢失": "lost", "信息变更": "info_change",
                                    "到期": "expired", "其他": "other"}
    keys = [c.key for c in cols.columns(cols.REISSUE)]
    assert len(keys) == len(set(keys))
    with pytest.raises(KeyError):
        cols.columns("payroll")


@pytest.mark.parametrize(("kind", "title", "headers"), [
    ("new_card", "制卡明细表", IDENTITY),
    ("reissue", "补换卡明细表", IDENTITY + ["业务类型", "原因", "是否更换照片"]),
])
def test_sheets_and_headers(kind, title, headers):
    wb = _open(kind)
    assert wb.sheetnames == [title, LISTS_SHEET, INSTRUCTIONS_SHEET]
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    ws = wb[title]
    assert [c.value for c in ws[1]] == headers
    assert ws.freeze_panes == "A2"
    assert all(c.font.b for c in ws[1])
    assert ws.max_row == 1


def test_drop_downs_on_the_right_columns():
    wb = _open("reissue")
    ws = wb.worksheets[0]
    found = _validations(ws)
    assert set(found) == {"证件类型", "性别", "民族", "国籍", "服务银行", "监护人证件类型", "业务类型", "原因", "是否更换照片"}
    assert _list_values(wb, found["性别"][0]) == ["男", "女"]
    assert found["性别"][1] == "E2:E100001"
    assert found["民族"][0].startswith("'_lists'!")
    ethnic = _list_values(wb, found["民族"][0])
    assert len(ethnic) == 56 and ethnic[0] == "汉族" and "土家族" in ethnic
    assert _list_values(wb, found["国籍"][0])[0] == "中国"
    assert found["国籍"][2] == "warning" and found["性别"][2] == "stop"
    assert _list_values(wb, found["证件类型"][0]) == list(cols.DOC_TYPE_CHOICES)
    assert _list_values(wb, found["服务银行"][0]) == list(cols.DEFAULT_SERVICE_BANKS)
    assert _list_values(wb, found["业务类型"][0]) == ["补领", "换领", "换发"]
    assert _list_values(wb, found["原因"][0]) == ["损坏", "丢失", "信息变更", "到期", "其他"]
    assert _list_values(wb, found["是否更换照片"][0]) == ["是", "否"]
    for formula, _, _ in found.values():
        assert len(formula) <= 255


def test_service_banks_are_configurable(settings):
    settings.SSCARD_SERVICE_BANKS = ["重庆银行", "中国银行"]
    wb = _open("new_card")
    assert _list_values(wb, _validations(wb.worksheets[0])["服务银行"][0]) == ["重庆银行", "中国银行"]


def test_id_and_phone_columns_are_text():
    ws = _open("new_card").worksheets[0]
    fmt = {c.value: ws.column_dimensions[c.column_letter].number_format for c in ws[1]}
    for header in ("证件号码", "联系手机", "监护人证件号码", "出生日期"):
        assert fmt[header] == "@", header
    assert fmt["姓名"] == "General"


@pytest.mark.parametrize("kind", cols.KINDS)
def test_instructions_list_every_column(kind):
    ws = _open(kind)[INSTRUCTIONS_SHEET]
    rows = {r[0]: r for r in ws.iter_rows(min_row=4, values_only=True) if r[0]}
    for column in cols.columns(kind):
        row = rows[column.header]
        assert row[1] == ("必填" if column.required else "条件必填或选填")
        assert (row[2] or "") == "、".join(column.choices)
    text = "\n".join(str(r[0]) for r in ws.iter_rows(values_only=True) if r[0])
    assert "校验码" in text and "监护人" in text and "证件号码_正面.jpg" in text


def test_output_is_deterministic_and_calamine_reads_it():
    data = build_template("new_card")
    assert data == build_template("new_card")
    book = CalamineWorkbook.from_filelike(io.BytesIO(data))
    assert book.sheet_names[0] == "制卡明细表"
    assert book.get_sheet_by_index(0).to_python()[0] == IDENTITY
