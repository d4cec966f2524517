"""Hostile-file-safe readers: the batch workbook, the scans zip and the scan checks.

Hostile files are built here with zipfile (and byte patches for what zipfile will not write), all small.
"""

import datetime as dt
import io
import os
import struct
import zipfile
from functools import lru_cache

import openpyxl
import pytest
from PIL import Image

from sscard.archive.tests.images import png_claiming
from sscard.batches import columns as cols
from sscard.batches.scans import check_photo, check_scan, open_scans
from sscard.batches.workbook_reader import read_workbook
from sscard.batches.templates_xlsx import build_template
from sscard.core.errors import InvalidInput
from sscard.testing.photos import photo_bytes, photo_image

ID = "11010119900307123X"
ID2 = "500101201501010011"
NEW, REISSUE = cols.NEW_CARD, cols.REISSUE


def _code(fn, *args, **kwargs) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        fn(*args, **kwargs)
    return info.value


# -- workbook builders ----------------------------------------------------------------------------

@lru_cache
def _template(kind: str) -> bytes:
    return build_template(kind)


def _filled(kind: str, rows: dict[int, list], *, header: list | None = None) -> bytes:
    """The real template with ``rows`` ({sheet row: values}) typed in by openpyxl (numbers stay numbers)."""
    wb = openpyxl.load_workbook(io.BytesIO(_template(kind)))
    ws = wb[cols.SHEET_TITLES[kind]]
    if header is not None:
        for col, value in enumerate(header, start=1):
            ws.cell(row=1, column=col, value=value)
    for row, values in rows.items():
        for col, value in enumerate(values, start=1):
            ws.cell(row=row, column=col, value=value)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _row(seq=1, doc=ID, phone="13800138000", **overrides) -> list:
    values = [seq, "张三", "居民身份证", doc, "男", "汉族", "1990-03-07", "中国", "长期", phone,
              "重庆市渝中区解放碑 1 号", "中国银行", "", "", ""]
    for idx, value in overrides.items():
        values[int(idx[1:])] = value
    return values


_OOXML = "http://schemas.openxmlformats.org"
_DECL = '<?xml version="1.0" encoding="UTF-8"?>'
_CT = (_DECL + "{dtd}" f'<Types xmlns="{_OOXML}/package/2006/content-types">'
       '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
       '<Default Extension="xml" ContentType="application/xml"/>'
       '<Override PartName="/xl/workbook.xml"'
       ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>'
       '<Override PartName="/xl/worksheets/sheet1.xml"'
       ' ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>')
_RELS = (_DECL + f'<Relationships xmlns="{_OOXML}/package/2006/relationships"><Relationship Id="rId1"'
         f' Type="{_OOXML}/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/>'
         "</Relationships>")
_WB = (_DECL + f'<workbook xmlns="{_OOXML}/spreadsheetml/2006/main"'
       f' xmlns:r="{_OOXML}/officeDocument/2006/relationships">'
       '<sheets><sheet name="制卡明细表" sheetId="1" r:id="rId1"/></sheets></workbook>')
_WB_RELS = (_DECL + f'<Relationships xmlns="{_OOXML}/package/2006/relationships"><Relationship Id="rId1"'
            f' Type="{_OOXML}/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/>'
            "</Relationships>")
_SHEET = (_DECL + "{dtd}" f'<worksheet xmlns="{_OOXML}/spreadsheetml/2006/main">'
          "<sheetData>{rows}</sheetData></worksheet>")


def _istr(ref: str, text: str) -> str:
    return f'<c r="{ref}" t="inlineStr"><is><t>{text}</t></is></c>'


def _header_xml(kind: str = NEW) -> str:
    letter = openpyxl.utils.get_column_letter
    cells = "".join(_istr(f"{letter(i)}1", h) for i, h in enumerate(cols.headers(kind), 1))
    return f'<row r="1">{cells}</row>'


_DATA_ROW = '<row r="2">' + _istr("A2", "1") + _istr("B2", "张三") + "</row>"


def _raw_xlsx(rows: str = _DATA_ROW, *, sheet_dtd: str = "", ct_dtd: str = "", extra=(),
              sheet: str | None = None, header: bool = True) -> bytes:
    """A minimal hand-made .xlsx (one sheet 制卡明细表) for the hostile variants."""
    sheet_xml = sheet if sheet is not None else _SHEET.format(dtd=sheet_dtd,
                                                               rows=(_header_xml() if header else "") + rows)
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr("[Content_Types].xml", _CT.format(dtd=ct_dtd))
        zf.writestr("_rels/.rels", _RELS)
        zf.writestr("xl/workbook.xml", _WB)
        zf.writestr("xl/_rels/workbook.xml.rels", _WB_RELS)
        zf.writestr("xl/worksheets/sheet1.xml", sheet_xml)
        for name, data in extra:
            zf.writestr(name, data)
    return out.getvalue()


def _patch(data: bytes, name: str, *, file_size: int | None = None, flag_bits: int | None = None,
           entries: int | None = None) -> bytes:
    """Rewrite header fields zipfile will not write falsely: declared size, flags, EOCD entry count."""
    buf = bytearray(data)
    zf = zipfile.ZipFile(io.BytesIO(data))
    info = zf.getinfo(name)
    local, pos = info.header_offset, zf.start_dir
    while buf[pos:pos + 4] == b"PK\x01\x02":
        n, m, k = struct.unpack("<3H", buf[pos + 28:pos + 34])
        if bytes(buf[pos + 46:pos + 46 + n]) == info.orig_filename.encode("utf-8"):
            if file_size is not None:
                buf[pos + 24:pos + 28] = struct.pack("<I", file_size)
                buf[local + 22:local + 26] = struct.pack("<I", file_size)
            if flag_bits is not None:
                buf[pos + 8:pos + 10] = struct.pack("<H", flag_bits)
                buf[local + 6:local + 8] = struct.pack("<H", flag_bits)
        pos += 46 + n + m + k
    if entries is not None:
        eocd = bytes(buf).rfind(b"PK\x05\x06")
        buf[eocd + 8:eocd + 12] = struct.pack("<HH", entries, entries)
    return bytes(buf)


# -- workbook: normal files -------------------------------------------------------------------------

def test_filled_template_round_trips_with_numbers_flagged():
    data = _filled(NEW, {
        2: _row(1, phone=13800138000),  # the phone typed as a number
        3: _row(2, doc=ID2, o6=dt.date(2015, 1, 1), o8=dt.datetime(2035, 5, 6, 7, 8), o10="  沙坪坝区  ",
                o12="居民身份证", o13="'=1+1", o14=True),
        5: _row(3, o8=1.5, o10="'+86 地址", o11=False),  # row 4 left empty
    })
    book = read_workbook(data, kind=NEW)
    assert book.headers == cols.headers(NEW)
    assert [r.line_no for r in book.rows] == [2, 3, 5]
    first, second, third = book.rows
    assert first.values == ("1", "张三", "居民身份证", ID, "男", "汉族", "1990-03-07", "中国", "长期", "13800138000",
                            "重庆市渝中区解放碑 1 号", "中国银行", "", "", "")
    assert first.numeric == frozenset({0, 9})
    assert second.values[3] == ID2 and second.values[6] == "2015-01-01" and second.values[8] == "2035-05-06"
    assert second.values[10] == "沙坪坝区" and second.values[13] == "=1+1" and second.values[14] == "是"
    assert second.numeric == frozenset({0})
    assert third.values[8] == "1.5" and third.values[10] == "+86 地址" and third.values[11] == "否"
    assert third.numeric == frozenset({0, 8})
    assert all(len(r.values) == 15 for r in book.rows)


def test_path_source_and_reissue_kind(tmp_path):
    path = tmp_path / "补换卡明细表.xlsx"
    path.write_bytes(_filled(REISSUE, {2: _row() + ["补领", "丢失", "否"]}))
    book = read_workbook(path, kind=REISSUE)
    assert book.rows[0].values[-3:] == ("补领", "丢失", "否") and len(book.rows[0].values) == 18


def test_numbers_keep_their_digits():
    book = read_workbook(_filled(NEW, {2: _row(o3=110101199003071234, o8=1e-7, o9=12345678901)}), kind=NEW)
    # An 18-digit number typed as a number has lost its last digits (as in Excel): flagged numeric,
    # the row validator refuses it.
    assert book.rows[0].values[3] == "110101199003071200"
    assert book.rows[0].values[8] == "0.0000001" and book.rows[0].values[9] == "12345678901"
    assert {3, 8, 9} <= book.rows[0].numeric


def test_named_sheet_is_read_else_the_first():
    wb = openpyxl.Workbook()
    wb.active.title = "说明"
    wb.active["A1"] = "别的内容"
    data_sheet = wb.create_sheet(cols.SHEET_TITLES[NEW])
    data_sheet.append(cols.headers(NEW))
    data_sheet.append(_row())
    out = io.BytesIO()
    wb.save(out)
    assert read_workbook(out.getvalue(), kind=NEW).rows[0].values[3] == ID
    wb2 = openpyxl.Workbook()
    wb2.active.title = "Sheet1"
    wb2.active.append(cols.headers(NEW) + ["", ""])  # trailing empty header columns are ignored
    wb2.active.append(_row(7))
    out2 = io.BytesIO()
    wb2.save(out2)
    assert read_workbook(out2.getvalue(), kind=NEW).rows[0].values[0] == "7"


def test_header_mismatch_names_the_first_differing_column():
    header = cols.headers(NEW)
    header[1] = "名字"
    exc = _code(read_workbook, _filled(NEW, {2: _row()}, header=header), kind=NEW)
    assert exc.code == "WORKBOOK_HEADER_MISMATCH" and "第 2 列" in exc.message and "姓名" in exc.message
    extra = _code(read_workbook, _filled(NEW, {2: _row()}, header=cols.headers(NEW) + ["备注"]), kind=NEW)
    assert extra.code == "WORKBOOK_HEADER_MISMATCH" and "第 16 列" in extra.message


def test_header_shifted_right_is_a_mismatch():
    rows = '<row r="1">' + "".join(_istr(f"{openpyxl.utils.get_column_letter(i + 1)}1", h)
                                   for i, h in enumerate(cols.headers(NEW), 1)) + "</row>"
    data = _raw_xlsx(rows + '<row r="2">' + _istr("B2", "1") + "</row>", header=False)
    exc = _code(read_workbook, data, kind=NEW)
    assert exc.code == "WORKBOOK_HEADER_MISMATCH" and "第 1 列" in exc.message


@pytest.mark.parametrize(("template", "kind"), [(REISSUE, NEW), (NEW, REISSUE)])
def test_other_kind_refused(template, kind):
    assert _code(read_workbook, _filled(template, {2: _row()}), kind=kind).code == "WORKBOOK_WRONG_KIND"


def test_empty_and_too_many_rows(monkeypatch):
    assert _code(read_workbook, _filled(NEW, {}), kind=NEW).code == "WORKBOOK_EMPTY"
    assert _code(read_workbook, _filled(NEW, {3: ["", "  ", None]}), kind=NEW).code == "WORKBOOK_EMPTY"
    monkeypatch.setattr(cols, "MAX_DATA_ROWS", 2)
    data = _filled(NEW, {2: _row(1), 3: _row(2), 4: _row(3)})
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_TOO_MANY_ROWS"
    assert len(read_workbook(_filled(NEW, {2: _row(1), 9: _row(2)}), kind=NEW).rows) == 2


# -- workbook: hostile files ------------------------------------------------------------------------

OLE_XLS = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\0" * 600  # .xls, or an .xlsx with an opening password


@pytest.mark.parametrize("content", [b"", b"not a workbook at all", OLE_XLS, b"PK\x05\x06" + b"\0" * 18])
def test_not_xlsx(content):
    assert _code(read_workbook, content, kind=NEW).code == "WORKBOOK_NOT_XLSX"


def test_size_member_count_and_total_limits(settings):
    data = _filled(NEW, {2: _row()})
    settings.SSCARD_BATCH_MAX_WORKBOOK_BYTES = len(data) - 1
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_TOO_LARGE"
    del settings.SSCARD_BATCH_MAX_WORKBOOK_BYTES
    settings.SSCARD_BATCH_MAX_WORKBOOK_MEMBERS = 3
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_TOO_LARGE"
    del settings.SSCARD_BATCH_MAX_WORKBOOK_MEMBERS
    settings.SSCARD_BATCH_MAX_UNZIPPED_BYTES = 5000
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_TOO_LARGE"


def test_forged_entry_count_does_not_hide_members(settings):
    settings.SSCARD_BATCH_MAX_WORKBOOK_MEMBERS = 5
    data = _patch(_raw_xlsx(extra=[("a.xml", "<a/>"), ("b.xml", "<b/>")]), "a.xml", entries=1)
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_TOO_LARGE"


def test_compression_ratio_bomb():
    data = _raw_xlsx(extra=[("xl/media/pad.xml", b"\0" * (3 * 1024 * 1024))])
    assert len(data) < 20_000
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_ZIP_BOMB"


def test_forged_declared_size_refused():
    data = _patch(_raw_xlsx(), "xl/worksheets/sheet1.xml", file_size=200)
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_ZIP_BOMB"


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs.xml", "C:\\x.xml", "xl\\..\\..\\x.xml"])
def test_member_path_traversal_refused(name):
    assert _code(read_workbook, _raw_xlsx(extra=[(name, "<x/>")]), kind=NEW).code == "WORKBOOK_UNSAFE_NAME"


BILLION_LAUGHS = ('<!DOCTYPE lolz [<!ENTITY lol "lol">'
                  '<!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">'
                  '<!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">]>')
XXE = '<!DOCTYPE Types [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'


@pytest.mark.parametrize("name", ["xl/vbaProject.bin", "XL/VBAPROJECT.BIN", "xl/vbaProjectSignature.bin",
                                  "vbaProject.bin", "xl/macrosheets/sheet1.xml"])
def test_macro_parts_refused(name):
    """A VBA project (the .xlsm content in a file named .xlsx) or an Excel 4 macro sheet: refused as such."""
    assert _code(read_workbook, _raw_xlsx(extra=[(name, "x")]), kind=NEW).code == "WORKBOOK_MACROS"
    assert read_workbook(_raw_xlsx(), kind=NEW).rows  # the same file without it is read


def test_macros_declared_under_another_name_refused(monkeypatch):
    """The part renamed, but the content types (or a relationship) still say what it is; a keyword cut by a
    read chunk's edge is found too."""
    from sscard.batches import workbook_reader

    declared = ('<Override PartName="/xl/data.bin" ContentType="application/vnd.ms-office.vbaProject"/>')
    data = _raw_xlsx(extra=[("xl/data.bin", "x"), ("xl/_rels/extra.rels", declared)])
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_MACROS"
    monkeypatch.setattr(workbook_reader, "_CHUNK", 64)
    rels = "<!-- " + "x" * 51 + " -->" + "vbaProject"  # the word spans bytes 60-70, across the chunk's end
    data = _raw_xlsx(extra=[("xl/_rels/b.rels", rels)])
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_MACROS"


def test_macro_words_in_cells_are_only_text():
    """The words are refused only where parts are declared, not where an employer typed them."""
    data = _raw_xlsx('<row r="2">' + _istr("A2", "1") + _istr("B2", "vbaProject macroEnabled") + "</row>")
    assert read_workbook(data, kind=NEW).rows[0].values[1] == "vbaProject macroEnabled"


def test_billion_laughs_in_sheet_refused():
    data = _raw_xlsx('<row r="2">' + _istr("A2", "&lol3;") + "</row>", sheet_dtd=BILLION_LAUGHS)
    exc = _code(read_workbook, data, kind=NEW)
    assert exc.code == "WORKBOOK_XML_UNSAFE"


def test_xxe_in_content_types_refused():
    assert _code(read_workbook, _raw_xlsx(ct_dtd=XXE), kind=NEW).code == "WORKBOOK_XML_UNSAFE"


def test_entity_declaration_split_across_chunks_found(monkeypatch):
    from sscard.batches import workbook_reader

    monkeypatch.setattr(workbook_reader, "_CHUNK", 64)
    padding = "<!-- " + "x" * 50 + " -->"  # puts the keyword across the first chunk boundary
    data = _raw_xlsx(extra=[("xl/custom.rels", padding + "<!dOcTyPe a><a/>")])
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_XML_UNSAFE"


def test_utf16_xml_refused():
    utf16 = "<?xml version='1.0' encoding='UTF-16'?><a/>".encode("utf-16")
    data = _raw_xlsx(extra=[("xl/custom.xml", utf16)])
    assert _code(read_workbook, data, kind=NEW).code == "WORKBOOK_XML_UNSAFE"


_VALUE = "<v>1</v>"
RANGE_BOMBS = {
    "far cell": '<row r="1048576"><c r="XFD1048576">' + _VALUE + "</c></row>",
    "lower-case reference": '<row r="1048576"><c r="xfd1048576">' + _VALUE + "</c></row>",
    "beyond column XFD": '<row r="3"><c r="AAAAAA3">' + _VALUE + "</c></row>",
    "huge row number": '<row r="3"><c r="B99999999999">' + _VALUE + "</c></row>",
    "reference not first": '<row r="1048576"><c t="n" r="XFD1048576">' + _VALUE + "</c></row>",
    "single quotes": "<row r='1048576'><c r='XFD1048576'>" + _VALUE + "</c></row>",
    "second r attribute wins in calamine": '<row r="2"><c r="A2" r="XFD1048576">' + _VALUE + "</c></row>",
    "implicit positions": '<row r="1048576">' + "<c><v>1</v></c>" * 20 + "</row>",
    "rows without r": "<row><c r=\"XFD5\"><v>1</v></c></row>" + "<row/>" * 300 + "<row><c><v>1</v></c></row>",
}


@pytest.mark.parametrize("rows", list(RANGE_BOMBS.values()), ids=list(RANGE_BOMBS))
def test_sheet_range_bombs_refused_before_calamine(rows, settings):
    # Without this check calamine allocates the dense range and aborts the whole process.
    settings.SSCARD_BATCH_MAX_SHEET_CELLS = 100_000
    assert _code(read_workbook, _raw_xlsx(_DATA_ROW + rows), kind=NEW).code == "WORKBOOK_TOO_LARGE"


def test_prefixed_far_cell_refused():
    sheet = (_DECL + f'<x:worksheet xmlns:x="{_OOXML}/spreadsheetml/2006/main"><x:sheetData>'
             '<x:row r="1"><x:c r="A1" t="inlineStr"><x:is><x:t>序号</x:t></x:is></x:c></x:row>'
             '<x:row r="1048576"><x:c r="XFD1048576"><x:v>1</x:v></x:c></x:row>'
             "</x:sheetData></x:worksheet>")
    assert _code(read_workbook, _raw_xlsx(sheet=sheet), kind=NEW).code == "WORKBOOK_TOO_LARGE"


def test_empty_far_cells_and_unusual_attribute_order_are_fine():
    rows = ('<row r="2"><c s="0" t="inlineStr" r="A2"><is><t>1</t></is></c>' + _istr("B2", "张三") + "</row>"
            '<row r="1048576"><c r="XFD1048576" s="0"/></row>')
    book = read_workbook(_raw_xlsx(rows), kind=NEW)
    assert [(r.line_no, r.values[:2]) for r in book.rows] == [(2, ("1", "张三"))]


def test_malformed_cell_tags_refused():
    for rows in ['<row r="2"><c r="A$2"><v>1</v></c></row>', '<row r="2"><c r=A2><v>1</v></c></row>']:
        assert _code(read_workbook, _raw_xlsx(rows), kind=NEW).code == "WORKBOOK_CORRUPT"


def test_zip_without_a_workbook_is_corrupt():
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr("hello.txt", "hi")
    assert _code(read_workbook, out.getvalue(), kind=NEW).code == "WORKBOOK_CORRUPT"


# -- scans zip -------------------------------------------------------------------------------------

def _jpeg(size=(358, 441), background=(255, 255, 255), fmt="JPEG") -> bytes:
    """A photo with a (drawn) face: only what a test changes breaks the photo rule."""
    return photo_bytes(size=size, background=background, fmt=fmt)


def _zip(entries, compression=zipfile.ZIP_DEFLATED) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression) as zf:
        for name, data in entries:
            zf.writestr(name, data)
    return out.getvalue()


def test_scans_indexed_by_id_and_kind():
    photo, scan = _jpeg(), _jpeg((600, 400), fmt="PNG")
    data = _zip([("单位/", b""), (f"单位/{ID.lower()}.jpg", photo), (f"{ID}_正面.JPG", scan),
                 (f"{ID}_反面.jpeg", scan), (f"{ID2}_户口本人页.png", scan), (f"{ID2}_户口增减页.jpg", scan),
                 ("说明.txt", b"hello"),
                 ("__MACOSX/._x.jpg", b"junk")])
    with open_scans(data) as scans:
        assert scans.find(ID, "photo") == f"{ID.lower()}.jpg"
        assert scans.find(ID.lower(), "id_front") == f"{ID}_正面.jpg"
        assert scans.find(ID, "id_back") == f"{ID}_反面.jpeg"
        assert scans.find(ID2, "hukou_own") == f"{ID2}_户口本人页.png"
        assert scans.find(ID2, "hukou_change") == f"{ID2}_户口增减页.jpg"
        assert scans.find(ID2, "photo") is None and scans.find("123", "photo") is None
        assert scans.ids() == {ID, ID2}
        assert sorted(scans.unrecognised) == sorted(["说明.txt", "._x.jpg"])
        assert scans.read(scans.find(ID, "photo")) == photo
        with pytest.raises(KeyError):
            scans.find(ID, "passport")
    assert scans._fp.closed and scans._map is None  # closed by the context manager


def test_scans_from_path_and_gbk_names(tmp_path):
    data = _zip([(f"{ID}_ABCD.jpg", b"x")])
    data = data.replace(b"_ABCD.jpg", "_正面.jpg".encode("gbk"))  # a Windows zip: GBK name, no UTF-8 flag
    path = tmp_path / "scans.zip"
    path.write_bytes(data)
    with open_scans(path) as scans:
        assert scans.find(ID, "id_front") == f"{ID}_正面.jpg" and scans.read(f"{ID}_正面.jpg") == b"x"


def test_scans_size_and_not_zip(settings):
    assert _code(open_scans, b"Rar!\x1a\x07\x00 not a zip").code == "SCANS_NOT_ZIP"
    assert _code(open_scans, b"PK\x03\x04 truncated").code == "SCANS_NOT_ZIP"
    data = _zip([(f"{ID}.jpg", b"x")])
    settings.SSCARD_BATCH_MAX_SCANS_BYTES = len(data) - 1
    assert _code(open_scans, data).code == "SCANS_TOO_LARGE"


def test_too_many_files_even_with_a_forged_count(settings):
    settings.SSCARD_BATCH_MAX_SCAN_MEMBERS = 3
    data = _zip([(f"{i}.jpg", b"x") for i in range(5)])
    assert _code(open_scans, data).code == "SCANS_TOO_MANY_FILES"
    assert _code(open_scans, _patch(data, "0.jpg", entries=2)).code == "SCANS_TOO_MANY_FILES"


def test_bloated_directory_refused_before_zipfile_reads_it():
    assert _code(open_scans, _zip([("d" * 3000 + ".jpg", b"x")])).code == "SCANS_NOT_ZIP"


def test_encrypted_member_refused():
    data = _patch(_zip([(f"{ID}.jpg", b"x")]), f"{ID}.jpg", flag_bits=0x1)
    assert _code(open_scans, data).code == "SCANS_ENCRYPTED"


@pytest.mark.parametrize("name", ["../../etc/passwd", "/abs.jpg", "C:\\x.jpg", "a\\..\\..\\x.jpg",
                                  "a/../../x.jpg", "\\\\server\\share\\x.jpg"])
def test_unsafe_names_refuse_the_whole_file(name):
    exc = _code(open_scans, _zip([(f"{ID}.jpg", b"x"), (name, b"x")]))
    assert exc.code == "SCANS_UNSAFE_NAME"


def test_nul_in_name_and_long_names():
    data = _zip([("aXb.jpg", b"x")]).replace(b"aXb.jpg", b"a\x00b.jpg")
    assert _code(open_scans, data).code == "SCANS_UNSAFE_NAME"
    exc = _code(open_scans, _zip([("../" * 100 + "x.jpg", b"x")]))
    assert exc.code == "SCANS_UNSAFE_NAME" and "…" in exc.message and "../" * 30 not in exc.message


def test_symlink_member_refused():
    info = zipfile.ZipInfo(f"{ID}.jpg")
    info.external_attr = (0o120777 << 16)
    info.create_system = 3
    assert _code(open_scans, _zip([(info, b"/etc/passwd")])).code == "SCANS_UNSAFE_NAME"


def test_nested_archive_refused():
    inner = _zip([(f"{ID}.jpg", b"x")])
    assert _code(open_scans, _zip([("more/inner.ZIP", inner)])).code == "SCANS_NESTED_ARCHIVE"


def test_duplicate_names_refused():
    exc = _code(open_scans, _zip([(f"a/{ID}.jpg", b"x"), (f"b/{ID.lower()}.JPG", b"y")]))
    assert exc.code == "SCANS_DUPLICATE_NAME" and ID not in exc.message  # the ID number is masked
    assert _code(open_scans, _zip([(f"{ID}.jpg", b"x"), (f"{ID}.png", b"y")])).code == "SCANS_DUPLICATE_NAME"


def test_scan_zip_bombs(settings):
    zeros = _zip([(f"{ID}_正面.jpg", b"\0" * 200_000)])
    assert _code(open_scans, zeros).code == "SCANS_ZIP_BOMB"  # ratio
    settings.SSCARD_BATCH_MAX_SCAN_BYTES = 1000
    big = _zip([(f"{ID}.jpg", os.urandom(2000))], compression=zipfile.ZIP_STORED)
    assert _code(open_scans, big).code == "SCANS_ZIP_BOMB"  # declared size


def test_forged_small_size_caught_when_reading(settings):
    settings.SSCARD_BATCH_MAX_SCAN_BYTES = 1000
    data = _patch(_zip([(f"{ID}.jpg", b"\xff" * 5000)]), f"{ID}.jpg", file_size=100)
    with open_scans(data) as scans:
        assert _code(scans.read, f"{ID}.jpg").code == "SCANS_ZIP_BOMB"
    data = _patch(_zip([(f"{ID}.jpg", b"\xff" * 500)]), f"{ID}.jpg", file_size=100)
    with open_scans(data) as scans:
        assert _code(scans.read, f"{ID}.jpg").code == "SCANS_ZIP_BOMB"


def test_scans_reopened_from_their_index_read_the_same(tmp_path):
    """The background workers reopen the stored zip from the directory checked at submission."""
    from sscard.batches.scans import ScanArchive

    photo, front, back = _jpeg(), _jpeg(size=(96, 60)), _jpeg(size=(96, 61))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as zf:
        zf.writestr(f"{ID}.jpg", photo, compress_type=zipfile.ZIP_STORED)
        zf.writestr(f"{ID}_正面.jpg", front, compress_type=zipfile.ZIP_DEFLATED)
        zf.writestr(f"{ID}_反面.jpg", back, compress_type=zipfile.ZIP_BZIP2)  # read through zipfile
        zf.writestr("说明.txt", b"readme")
    path = tmp_path / "scans.zip"
    path.write_bytes(out.getvalue())
    with open_scans(path) as scans:
        index = scans.index()
    with open_scans(out.getvalue()) as in_memory:  # an upload still in memory reads the same
        content = in_memory.read(in_memory.find(ID, "photo"))
        assert type(content) is bytes and content == photo
    with ScanArchive.from_index(path, index) as again:
        assert again.unrecognised == ["说明.txt"]
        assert [again.read(again.find(ID.lower(), kind)) for kind in ("photo", "id_front", "id_back")] == [
            photo, front, back]
        assert again.find(ID, "hukou_own") is None
    empty = tmp_path / "empty.zip"
    empty.write_bytes(_zip([]))
    with open_scans(empty) as scans, ScanArchive.from_index(empty, scans.index()) as again:
        assert again.names == [] and again.ids() == set()


# -- scan checks ------------------------------------------------------------------------------------

def test_photo_rules():
    assert check_photo(_jpeg()) == []
    assert check_photo(_jpeg(background=(90, 90, 110))) == ["照片背景应为白色"]
    assert check_photo(_jpeg(background=(255, 255, 150))) == ["照片背景应为白色"]  # blue channel too low
    assert check_photo(_jpeg(size=(300, 400))) == ["照片尺寸应为 358×441 像素，实际为 300×400 像素"]
    assert check_photo(_jpeg(fmt="PNG")) == ["照片须为 JPEG 格式"]


def _encoded(image: Image.Image, **options) -> bytes:
    out = io.BytesIO()
    image.save(out, format="JPEG", **options)
    return out.getvalue()


@pytest.mark.parametrize("mode", ["L", "CMYK"])
def test_photo_border_of_grey_and_cmyk_jpegs(mode):
    """Not 3-component JPEGs: the border is read through Pillow's general decoder, same verdicts."""
    white = photo_image().convert(mode)
    dark = photo_image(background=(90, 90, 110)).convert(mode)
    assert check_photo(_encoded(white)) == []
    assert check_photo(_encoded(dark)) == ["照片背景应为白色"]


def test_photo_border_of_progressive_jpeg_and_corrupt_scan_data():
    assert check_photo(_encoded(Image.open(io.BytesIO(_jpeg())), progressive=True)) == []
    good = _jpeg()
    start = good.index(b"\xff\xda")  # start of scan: the entropy-coded data follows
    broken = good[:start + 20] + b"\xff\xd0\xff\x00" * 40 + good[start + 200:]
    # Not decodable: refused, never an exception (what libjpeg makes of the rest has no white border, and
    # no face either when it decodes at all).
    assert check_photo(broken)[0] == "照片背景应为白色"
    cut = good[:start + 40] + b"\xff\xd9"  # a complete-looking stream with most of its data missing
    assert check_photo(cut)[0] == "照片背景应为白色"


def test_photo_size_and_white_level_configurable(settings, tmp_path):
    from sscard.policy.catalogue import DEFAULT_PATH

    edited = tmp_path / "catalogue.toml"  # the photo size is the procedure's: changed in the catalogue
    edited.write_text(DEFAULT_PATH.read_text(encoding="utf-8").replace("photo_size = [358, 441]",
                                                                       "photo_size = [300, 400]"), encoding="utf-8")
    settings.SSCARD_CATALOGUE_PATH = str(edited)
    assert check_photo(_jpeg(size=(300, 400))) == []
    assert check_photo(_jpeg()) == ["照片尺寸应为 300×400 像素，实际为 358×441 像素"]
    settings.SSCARD_PHOTO_MIN_WHITE = 100
    assert check_photo(_jpeg(size=(300, 400), background=(120, 120, 120))) == []


def test_batch_photo_face_is_checked_unless_switched_off(settings):
    """The archive's one photo rule, face included; SSCARD_BATCH_PHOTO_FACES = False leaves the face out."""
    nobody, two = photo_bytes(faces=()), photo_bytes(faces=((0.27, 0.42, 0.36), (0.73, 0.42, 0.36)))
    assert check_photo(nobody) == ["照片中未检测到人脸，请拍摄正面、免冠、五官清晰的照片"]
    assert check_photo(two) == ["照片中检测到 2 张人脸，照片中应只有本人"]
    assert check_photo(_jpeg(background=(90, 90, 110), size=(300, 400))) == [
        "照片尺寸应为 358×441 像素，实际为 300×400 像素", "照片背景应为白色"]
    settings.SSCARD_BATCH_PHOTO_FACES = False
    assert check_photo(nobody) == [] and check_photo(two) == []
    assert check_photo(photo_bytes(faces=(), background=(90, 90, 110))) == ["照片背景应为白色"]


@pytest.mark.parametrize("check", [check_photo, check_scan])
def test_bad_images_become_problems_not_errors(check):
    bomb = png_claiming(30000, 30000)
    assert len(bomb) < 200
    (problem,) = check(bomb)
    assert "像素" in problem
    (garbage,) = check(b"GIF89a not really")
    assert "无法识别" in garbage or "格式" in garbage
    assert check(b"")


def test_scan_accepts_jpeg_and_png():
    assert check_scan(_jpeg((800, 500))) == [] and check_scan(_jpeg((800, 500), fmt="PNG")) == []
    buf = io.BytesIO()
    Image.new("RGB", (100, 100)).save(buf, format="GIF")
    assert check_scan(buf.getvalue()) == ["图片格式不支持，仅接受 JPEG 或 PNG 图片"]
