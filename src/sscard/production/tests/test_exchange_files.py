"""Exchange file format: round trips, exact layout, and every refusal code of the strict reader."""

import hashlib

import pytest

from sscard.core.errors import InvalidInput
from sscard.production import exchange_files as ef
from sscard.production.exchange_files import (
    BANK_OUT,
    BANK_RESULT,
    COLUMNS,
    VENDOR_OUT,
    VENDOR_RESULT,
    exchange_filename,
    parse_exchange_filename,
    read_exchange,
    write_atomically,
    write_exchange,
)

ORDER = "PO-20250601-0001"
ID_A = "500103199003071238"


def bank_out_row(item_no: str = "1", **over: str) -> dict[str, str]:
    row = {"item_no": item_no, "name": "张三", "doc_type": "id_card", "id_number": ID_A, "gender": "male",
           "birth_date": "1990-03-07", "phone": "13800000000", "address": "重庆市渝中区解放碑1号",
           "bank": "ccb"}
    row.update(over)
    return row


def vendor_out_row(item_no: str = "1", **over: str) -> dict[str, str]:
    row = {"item_no": item_no, "name": "李四", "doc_type": "id_card", "id_number": ID_A, "gender": "female",
           "birth_date": "1990-03-07", "nationality": "CHN", "bank": "ccb",
           "account_no": "6214000000000000001", "card_no": "A12345678", "photo_sha256": "ab" * 32}
    row.update(over)
    return row


def bank_result_row(item_no: str = "1", **over: str) -> dict[str, str]:
    row = {"item_no": item_no, "result": "OK", "account_no": "6214000000000000001", "reason_code": "",
           "reason": ""}
    row.update(over)
    return row


def vendor_result_row(item_no: str = "1", **over: str) -> dict[str, str]:
    row = {"item_no": item_no, "result": "OK", "identification_code": "0123456789ABCDEF" * 2,
           "reason_code": "", "reason": ""}
    row.update(over)
    return row


SAMPLES = {
    BANK_OUT: [bank_out_row("1"), bank_out_row("2", name="王五")],
    BANK_RESULT: [bank_result_row("1"),
                  bank_result_row("2", result="FAIL", account_no="", reason_code="B01", reason="证件信息核验未通过")],
    VENDOR_OUT: [vendor_out_row("1"), vendor_out_row("2", card_no="A87654321")],
    VENDOR_RESULT: [vendor_result_row("1"),
                    vendor_result_row("2", result="FAIL", identification_code="", reason_code="V01",
                                      reason="芯片写入失败")],
}


def reseal(body: bytes, count: int) -> bytes:
    """Append a correct trailer to hand-made content, so only the thing under test is wrong."""
    return body + f"#END,{count},{hashlib.sha256(body).hexdigest()}\n".encode()


def body_of(content: bytes) -> bytes:
    return content[:content.rstrip(b"\n").rfind(b"\n") + 1]


def code_of(content: bytes, **kwargs) -> str:
    kwargs.setdefault("kind", BANK_OUT)
    with pytest.raises(InvalidInput) as info:
        read_exchange(content, **kwargs)
    return info.value.code


# --- writing and round trips --------------------------------------------------------------------


@pytest.mark.parametrize("kind", [BANK_OUT, BANK_RESULT, VENDOR_OUT, VENDOR_RESULT])
def test_round_trip_each_kind(kind):
    content = write_exchange(kind, ORDER, SAMPLES[kind])
    parsed = read_exchange(content, kind=kind, order_no=ORDER)
    assert parsed.kind == kind
    assert parsed.order_no == ORDER
    assert parsed.rows == tuple(SAMPLES[kind])
    assert parsed.sha256 == hashlib.sha256(content).hexdigest()
    assert write_exchange(kind, ORDER, SAMPLES[kind]) == content  # deterministic


def test_exact_layout():
    content = write_exchange(BANK_RESULT, "PO-1", [bank_result_row("7", account_no="62141")])
    body = (b"#SSCARD-EXCHANGE,v1,bank_result,PO-1,1\n"
            b"item_no,result,account_no,reason_code,reason\n"
            b"7,OK,62141,,\n")
    assert content == body + f"#END,1,{hashlib.sha256(body).hexdigest()}\n".encode()


def test_empty_file_round_trips():
    content = write_exchange(VENDOR_OUT, ORDER, [])
    assert read_exchange(content, kind=VENDOR_OUT).rows == ()
    assert content.count(b"\n") == 3


def test_awkward_values_round_trip():
    tricky = ['a,b', 'say "hi"', '"', ' leading and trailing ', '重庆市渝北区，两路街道“某某”小区', '#END,1,x', 'é\u3000']
    rows = [bank_out_row(str(i), address=value, name=value) for i, value in enumerate(tricky)]
    parsed = read_exchange(write_exchange(BANK_OUT, ORDER, rows), kind=BANK_OUT)
    assert [r["address"] for r in parsed.rows] == tricky
    assert [r["name"] for r in parsed.rows] == tricky


def test_none_becomes_empty():
    parsed = read_exchange(write_exchange(BANK_OUT, ORDER, [bank_out_row(phone=None)]), kind=BANK_OUT)
    assert parsed.rows[0]["phone"] == ""


@pytest.mark.parametrize("bad", ["a\nb", "a\rb", "a\x00b", "\n"])
def test_write_rejects_newline_cr_nul(bad):
    with pytest.raises(ValueError, match="newline"):
        write_exchange(BANK_OUT, ORDER, [bank_out_row(address=bad)])


@pytest.mark.parametrize(("kind", "rows"), [
    (BANK_OUT, [bank_out_row("1"), bank_out_row("1")]),
    (BANK_OUT, [bank_out_row("")]),
    (BANK_OUT, [{k: v for k, v in bank_out_row().items() if k != "phone"}]),
    (BANK_OUT, [bank_out_row(extra="x")]),
    (BANK_OUT, [bank_out_row(phone=138)]),
    (BANK_RESULT, [bank_result_row(account_no="")]),
    (BANK_RESULT, [bank_result_row(reason="多余的原因")]),
    (BANK_RESULT, [bank_result_row(result="FAIL", account_no="", reason_code="B01", reason="")]),
    (BANK_RESULT, [bank_result_row(result="FAIL", reason_code="B01", reason="有账号的失败")]),
    (BANK_RESULT, [bank_result_row(result="ok")]),
    (VENDOR_RESULT, [vendor_result_row(identification_code="0123456789abcdef" * 2)]),
    (VENDOR_RESULT, [vendor_result_row(identification_code="ABC")]),
])
def test_write_rejects_bad_rows(kind, rows):
    with pytest.raises(ValueError):
        write_exchange(kind, ORDER, rows)


@pytest.mark.parametrize(("kind", "order_no"), [
    ("bank", ORDER), (BANK_OUT, "po-1"), (BANK_OUT, ""), (BANK_OUT, "A" * 41), (BANK_OUT, "A,B"),
])
def test_write_rejects_bad_kind_or_order(kind, order_no):
    with pytest.raises(ValueError):
        write_exchange(kind, order_no, [])


# --- truncation and corruption ------------------------------------------------------------------


def test_every_truncation_is_refused_as_truncated():
    content = write_exchange(BANK_OUT, ORDER, SAMPLES[BANK_OUT])
    for cut in range(len(content)):
        assert code_of(content[:cut]) == "EXCHANGE_FILE_TRUNCATED", cut


def test_every_flipped_byte_is_refused_as_truncated():
    content = write_exchange(BANK_OUT, ORDER, SAMPLES[BANK_OUT])
    for position in range(len(content)):
        damaged = bytearray(content)
        damaged[position] ^= 0x01
        assert code_of(bytes(damaged)) == "EXCHANGE_FILE_TRUNCATED", position


def test_appended_garbage_is_refused():
    content = write_exchange(BANK_OUT, ORDER, SAMPLES[BANK_OUT])
    assert code_of(content + b"x\n") == "EXCHANGE_FILE_TRUNCATED"


@pytest.mark.parametrize(("declared", "trailer"), [(3, 2), (2, 3), (3, 3), (1, 1)])
def test_row_count_mismatch_is_truncated(declared, trailer):
    rows = SAMPLES[BANK_OUT]
    lines = body_of(write_exchange(BANK_OUT, ORDER, rows)).split(b"\n")
    lines[0] = f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},{declared}".encode()
    assert code_of(reseal(b"\n".join(lines), trailer)) == "EXCHANGE_FILE_TRUNCATED"


# --- size and encoding --------------------------------------------------------------------------


def test_too_large():
    content = write_exchange(BANK_OUT, ORDER, SAMPLES[BANK_OUT])
    assert code_of(content, max_bytes=len(content) - 1) == "EXCHANGE_FILE_TOO_LARGE"
    assert read_exchange(content, kind=BANK_OUT, max_bytes=len(content)).rows


def test_not_utf8_with_valid_trailer():
    text = "#SSCARD-EXCHANGE,v1,bank_out,PO-1,1\n" + ",".join(COLUMNS[BANK_OUT]) + "\n"
    row = "1,张三,id_card,x,male,1990-03-07,,重庆,ccb\n"
    assert code_of(reseal((text + row).encode("gbk"), 1)) == "EXCHANGE_FILE_NOT_UTF8"


def test_not_utf8_without_trailer():
    """A file exported in GBK by a partner is reported as wrongly encoded, not as truncated."""
    assert code_of("开户回盘,张三\n".encode("gbk")) == "EXCHANGE_FILE_NOT_UTF8"


# --- format -------------------------------------------------------------------------------------

HEADER = ",".join(COLUMNS[BANK_OUT])
ROW = "1,张三,id_card,X,male,1990-03-07,138,重庆,ccb"


@pytest.mark.parametrize("text", [
    f"SSCARD-EXCHANGE,v1,bank_out,{ORDER},1\n{HEADER}\n{ROW}\n",
    f"#SSCARD-EXCHANGE,v2,bank_out,{ORDER},1\n{HEADER}\n{ROW}\n",
    f"#SSCARD-EXCHANGE,v1,bank,{ORDER},1\n{HEADER}\n{ROW}\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,po-1,1\n{HEADER}\n{ROW}\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},01\n{HEADER}\n{ROW}\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},1,extra\n{HEADER}\n{ROW}\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},1\n{HEADER},extra\n{ROW}\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},1\nitem_no,name\n{ROW}\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},1\n{HEADER}\n{ROW},extra\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},1\n{HEADER}\n1,张三\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},1\n{HEADER}\n\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},1\n{HEADER}\n1,\"unclosed,id_card,X,male,1990-03-07,138,重庆,ccb\n",
    f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},1\r\n{HEADER}\r\n{ROW}\r\n",
    "",
])
def test_format_errors(text):
    count = 0 if text == "" else 1
    assert code_of(reseal(text.encode(), count)) == "EXCHANGE_FILE_FORMAT"


def test_format_error_names_the_line():
    text = f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},2\n{HEADER}\n{ROW}\n2,{ID_A}\n"
    with pytest.raises(InvalidInput) as info:
        read_exchange(reseal(text.encode(), 2), kind=BANK_OUT)
    assert info.value.code == "EXCHANGE_FILE_FORMAT"
    assert "第 4 行" in info.value.message
    assert ID_A not in info.value.message


def test_kind_mismatch():
    content = write_exchange(BANK_OUT, ORDER, SAMPLES[BANK_OUT])
    assert code_of(content, kind=VENDOR_OUT) == "EXCHANGE_KIND_MISMATCH"
    assert code_of(content, kind=BANK_RESULT) == "EXCHANGE_KIND_MISMATCH"


def test_order_mismatch():
    content = write_exchange(BANK_OUT, ORDER, SAMPLES[BANK_OUT])
    assert code_of(content, order_no="PO-OTHER") == "EXCHANGE_ORDER_MISMATCH"
    assert read_exchange(content, kind=BANK_OUT).order_no == ORDER  # no expectation, no check


# --- row rules ----------------------------------------------------------------------------------

RESULT_HEADER = ",".join(COLUMNS[BANK_RESULT])
VENDOR_HEADER = ",".join(COLUMNS[VENDOR_RESULT])


@pytest.mark.parametrize(("kind", "header", "bad_row", "words"), [
    (BANK_RESULT, RESULT_HEADER, "1,OK,6214,,", "重复"),  # duplicate of line 3
    (BANK_RESULT, RESULT_HEADER, "2,OK,,,", "账号"),
    (BANK_RESULT, RESULT_HEADER, "2,FAIL,,B01,", "原因"),
    (BANK_RESULT, RESULT_HEADER, "2,FAIL,,,证件信息核验未通过", "原因"),
    (BANK_RESULT, RESULT_HEADER, "2,FAIL,6214,B01,证件信息核验未通过", "账号"),
    (BANK_RESULT, RESULT_HEADER, "2,OK,6214,B01,", "原因"),
    (BANK_RESULT, RESULT_HEADER, "2,MAYBE,6214,,", "OK 或 FAIL"),
    (BANK_RESULT, RESULT_HEADER, ",OK,6214,,", "item_no"),
    (VENDOR_RESULT, VENDOR_HEADER, "2,OK,,,", "识别码"),
    (VENDOR_RESULT, VENDOR_HEADER, "2,OK," + "a" * 32 + ",,", "32位大写"),
    (VENDOR_RESULT, VENDOR_HEADER, "2,OK," + "A" * 31 + ",,", "32位大写"),
])
def test_row_invalid(kind, header, bad_row, words):
    first = "1,OK,6214,," if kind == BANK_RESULT else "1,OK," + "F" * 32 + ",,"
    text = f"#SSCARD-EXCHANGE,v1,{kind},{ORDER},2\n{header}\n{first}\n{bad_row}\n"
    with pytest.raises(InvalidInput) as info:
        read_exchange(reseal(text.encode(), 2), kind=kind)
    assert info.value.code == "EXCHANGE_ROW_INVALID"
    assert "第 4 行" in info.value.message
    assert words in info.value.message
    assert info.value.details["line"] == 4


def test_duplicate_item_in_out_file():
    text = f"#SSCARD-EXCHANGE,v1,bank_out,{ORDER},2\n{HEADER}\n{ROW}\n{ROW}\n"
    assert code_of(reseal(text.encode(), 2)) == "EXCHANGE_ROW_INVALID"


# --- file names and atomic writes ---------------------------------------------------------------


@pytest.mark.parametrize(("kind", "name"), [
    (BANK_OUT, f"BANK_OUT_{ORDER}.csv"), (BANK_RESULT, f"BANK_RESULT_{ORDER}.csv"),
    (VENDOR_OUT, f"VENDOR_OUT_{ORDER}.csv"), (VENDOR_RESULT, f"VENDOR_RESULT_{ORDER}.csv"),
])
def test_filenames_round_trip(kind, name):
    assert exchange_filename(kind, ORDER) == name
    assert parse_exchange_filename(name) == (kind, ORDER)


@pytest.mark.parametrize("name", [
    "BANK_OUT_po-1.csv", "BANK_OUT_.csv", f"BANK_OUT_{'A' * 41}.csv", "BANK_OUT_PO-1.csv.tmp",
    ".BANK_OUT_PO-1.csv.abc.tmp", "BANK_OUT_PO-1.CSV", "BANK_OUT_PO_1.csv", "CARD_OUT_PO-1.csv",
    "dir/BANK_OUT_PO-1.csv", "BANK_OUTPO-1.csv", "BANK_OUT_PO-1.csv\n", None,
])
def test_parse_filename_rejects(name):
    assert parse_exchange_filename(name) is None


def test_filename_rejects_bad_input():
    with pytest.raises(ValueError):
        exchange_filename("bank", ORDER)
    with pytest.raises(ValueError):
        exchange_filename(BANK_OUT, "../x")


def test_write_atomically_leaves_only_the_file(tmp_path):
    target = tmp_path / "BANK_OUT_PO-1.csv"
    write_atomically(target, b"first")
    write_atomically(target, b"second")
    assert target.read_bytes() == b"second"
    assert [p.name for p in tmp_path.iterdir()] == [target.name]


def test_write_atomically_failure_leaves_nothing(tmp_path, monkeypatch):
    def broken_fsync(fd):
        raise OSError("disk full")

    monkeypatch.setattr(ef.os, "fsync", broken_fsync)
    with pytest.raises(OSError):
        write_atomically(tmp_path / "X.csv", b"content")
    assert list(tmp_path.iterdir()) == []
