import datetime as dt
import io

import pytest
from pypdf import PdfReader

from sscard.archive.pdf import render_business_form, render_voucher

PRINTED_AT = dt.datetime(2026, 3, 1, 1, 30, tzinfo=dt.timezone.utc)  # 09:30 in Chongqing
ROWS = [("姓名", "张*三"), ("公民身份号码", "500***********1234"), ("业务类型", "社会保障卡补领"),
        ("备注", "值中含有 <b> & 符号")]


def _form(**kwargs) -> bytes:
    params = dict(title="社会保障卡补领业务表单", request_no="SR20260301000123", rows=ROWS,
                  outlet_name="渝中区社会保障卡服务网点", printed_at=PRINTED_AT)
    params.update(kwargs)
    return render_business_form(**params)


def _voucher(**kwargs) -> bytes:
    params = dict(title="自助一体机凭证", voucher_no="KV-20260301-0007", rows=[("业务", "社保卡补领"), ("姓名", "李*")],
                  outlet_name="渝中区社会保障卡服务网点", printed_at=PRINTED_AT)
    params.update(kwargs)
    return render_voucher(**params)


def _text(pdf: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


def _fonts(pdf: bytes) -> list[dict]:
    fonts = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            fonts.append({"name": font["/BaseFont"], "embedded": "/FontFile2" in font["/FontDescriptor"]
                          if "/FontDescriptor" in font else False})
    return fonts


@pytest.mark.parametrize("render", [_form, _voucher])
def test_pdf_embeds_only_the_cjk_truetype_subset(render):
    pdf = render()
    assert pdf.startswith(b"%PDF")
    assert b"FontFile2" in pdf
    assert b"STSong" not in pdf and b"Helvetica" not in pdf
    fonts = _fonts(pdf)
    assert fonts and all(f["embedded"] for f in fonts)
    assert all(f["name"].endswith("WenQuanYiMicroHei") for f in fonts)
    assert len(pdf) < 200_000  # a subset, not the whole 4.6 MB font


def test_business_form_text_is_extractable():
    text = _form()
    text = _text(text)
    for expected in ("社会保障卡补领业务表单", "渝中区社会保障卡服务网点", "SR20260301000123", "2026-03-01 09:30",
                     "公民身份号码", "500***********1234", "社会保障卡补领", "值中含有 <b> & 符号",
                     "申办人/代办人签字", "日期"):
        assert expected in text


def test_business_form_breaks_onto_more_pages_with_many_rows():
    rows = [(f"项目{i}", "很长的内容" * 12) for i in range(60)]
    pdf = _form(rows=rows)
    reader = PdfReader(io.BytesIO(pdf))
    assert len(reader.pages) > 1
    text = _text(pdf)
    assert "项目59" in text and "第 2 页" in text
    assert "申办人/代办人签字" in reader.pages[-1].extract_text()


def test_business_form_with_non_ascii_request_no_has_no_barcode_but_keeps_text():
    text = _text(_form(request_no="渝中-申-001"))
    assert "渝中-申-001" in text


def test_voucher_text_is_extractable_and_page_fits_receipt():
    pdf = _voucher()
    text = _text(pdf)
    for expected in ("自助一体机凭证", "KV-20260301-0007", "社保卡补领", "李*", "渝中区社会保障卡服务网点",
                     "2026-03-01 09:30", "服务窗口"):
        assert expected in text
    box = PdfReader(io.BytesIO(pdf)).pages[0].mediabox
    assert round(float(box.width)) == 227  # 80 mm
    assert float(box.height) < 842  # shorter than A4: as tall as its content


def test_voucher_wraps_long_values_instead_of_cutting_them():
    long_value = "重庆市渝中区解放碑街道民族路一百号社会保障卡服务网点二楼三号窗口"
    text = _text(_voucher(rows=[("办理地点", long_value)]))
    assert long_value in text.replace("\n", "")


@pytest.mark.parametrize("render", [_form, _voucher])
def test_output_is_deterministic(render):
    assert render() == render()
