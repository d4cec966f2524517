"""Simulated bank and card vendor: deterministic answers, configured failures, settings, outbox answering."""

import re

import pytest

from sscard.core.errors import InvalidInput
from sscard.people.idnumbers import check_digit
from sscard.production import exchange_files as ef
from sscard.production.exchange_files import (
    BANK_OUT,
    BANK_RESULT,
    VENDOR_OUT,
    VENDOR_RESULT,
    exchange_filename,
    read_exchange,
    write_exchange,
)
from sscard.production.simulated_partners import (
    BANK_REASONS,
    VENDOR_REASONS,
    PartnerConfig,
    SimulatedBank,
    SimulatedCardVendor,
    answer_outbox,
    luhn_check_digit,
    partner_config_from_settings,
)

ORDER = "PO-20250601-0001"


def id_number(seq: int) -> str:
    first17 = f"50010319900307{seq:03d}"
    return first17 + check_digit(first17)


def bank_rows(n: int, **over: str) -> list[dict[str, str]]:
    rows = []
    for i in range(1, n + 1):
        row = {"item_no": str(i), "name": f"测试{i}", "doc_type": "id_card", "id_number": id_number(i),
               "gender": "male", "birth_date": "1990-03-07", "phone": "", "address": "重庆市", "bank": "ccb"}
        row.update(over)
        rows.append(row)
    return rows


def vendor_rows(n: int, **over: str) -> list[dict[str, str]]:
    rows = []
    for i in range(1, n + 1):
        row = {"item_no": str(i), "name": f"测试{i}", "doc_type": "id_card", "id_number": id_number(i),
               "gender": "female", "birth_date": "1990-03-07", "nationality": "CHN", "bank": "ccb",
               "account_no": f"6214{i:015d}", "card_no": f"A{i:08d}", "photo_sha256": "0" * 64}
        row.update(over)
        rows.append(row)
    return rows


def bank_answer(config: PartnerConfig, rows, order_no: str = ORDER) -> tuple[dict[str, str], ...]:
    result = SimulatedBank(config).process(write_exchange(BANK_OUT, order_no, rows))
    return read_exchange(result, kind=BANK_RESULT, order_no=order_no).rows


def vendor_answer(config: PartnerConfig, rows, order_no: str = ORDER) -> tuple[dict[str, str], ...]:
    result = SimulatedCardVendor(config).process(write_exchange(VENDOR_OUT, order_no, rows))
    return read_exchange(result, kind=VENDOR_RESULT, order_no=order_no).rows


def luhn_valid(number: str) -> bool:
    """Independent Luhn check: from the right, double every second digit."""
    total = 0
    for position, char in enumerate(reversed(number)):
        value = int(char) * (2 if position % 2 else 1)
        total += value - 9 if value > 9 else value
    return total % 10 == 0


# --- bank ---------------------------------------------------------------------------------------


def test_bank_opens_accounts_for_everyone_by_default():
    rows = bank_answer(PartnerConfig(), bank_rows(20))
    assert [r["item_no"] for r in rows] == [str(i) for i in range(1, 21)]
    assert all(r["result"] == "OK" and r["reason"] == "" for r in rows)
    accounts = [r["account_no"] for r in rows]
    assert all(re.fullmatch(r"6214[0-9]{15}", a) for a in accounts)
    assert all(luhn_valid(a) for a in accounts)
    assert len(set(accounts)) == 20


def test_luhn_check_digit_known_value():
    assert luhn_check_digit("7992739871") == "3"
    assert not luhn_valid("79927398710")


def test_bank_is_deterministic():
    out = write_exchange(BANK_OUT, ORDER, bank_rows(30))
    config = PartnerConfig(fail_rate=0.3, seed="s1")
    assert SimulatedBank(config).process(out) == SimulatedBank(config).process(out)


def test_account_depends_on_seed_and_id_number_only():
    first = bank_answer(PartnerConfig(seed="a"), bank_rows(1))[0]["account_no"]
    again = bank_answer(PartnerConfig(seed="a"), bank_rows(1, item_no="99"), order_no="PO-2")[0]["account_no"]
    other_seed = bank_answer(PartnerConfig(seed="b"), bank_rows(1))[0]["account_no"]
    assert first == again
    assert first != other_seed


def test_bank_fail_items_by_item_no_and_id_number():
    config = PartnerConfig(fail_items={"2": ("B09", "测试原因甲"), id_number(4): ("B08", "测试原因乙")})
    rows = bank_answer(config, bank_rows(5))
    results = {r["item_no"]: (r["result"], r["reason_code"], r["reason"]) for r in rows}
    assert results["2"] == ("FAIL", "B09", "测试原因甲")
    assert results["4"] == ("FAIL", "B08", "测试原因乙")
    assert [results[k][0] for k in ("1", "3", "5")] == ["OK", "OK", "OK"]
    assert all(r["account_no"] == "" for r in rows if r["result"] == "FAIL")


def test_bank_fail_rate_one_fails_all_and_zero_none():
    all_failed = bank_answer(PartnerConfig(fail_rate=1.0), bank_rows(25))
    assert all(r["result"] == "FAIL" for r in all_failed)
    assert {(r["reason_code"], r["reason"]) for r in all_failed} <= set(BANK_REASONS)
    assert len({r["reason_code"] for r in all_failed}) == 2  # both default reasons occur
    assert all(r["result"] == "OK" for r in bank_answer(PartnerConfig(fail_rate=0), bank_rows(25)))


def test_bank_fail_rate_share_depends_on_seed():
    rows = bank_rows(200)
    def failed(seed: str) -> set[str]:
        answer = bank_answer(PartnerConfig(fail_rate=0.5, seed=seed), rows)
        return {r["item_no"] for r in answer if r["result"] == "FAIL"}

    failed_a, failed_b = failed("a"), failed("b")
    assert 60 <= len(failed_a) <= 140
    assert failed_a != failed_b


@pytest.mark.parametrize("over", [
    {"name": ""}, {"name": "  "}, {"id_number": ""}, {"id_number": "500103199003070010"},  # bad check digit
    {"id_number": "not-a-number"}, {"doc_type": "unknown"}, {"id_number": "500103209901010011"},
])
def test_bank_refuses_incomplete_data_without_crashing(over):
    rows = bank_rows(2)
    rows[1].update(over)
    answer = bank_answer(PartnerConfig(), rows)
    assert answer[0]["result"] == "OK"
    assert (answer[1]["result"], answer[1]["reason_code"], answer[1]["reason"]) == ("FAIL", "B03", "开户资料不完整")


def test_bank_refuses_a_file_of_the_wrong_kind():
    with pytest.raises(InvalidInput) as info:
        SimulatedBank().process(write_exchange(VENDOR_OUT, ORDER, vendor_rows(1)))
    assert info.value.code == "EXCHANGE_KIND_MISMATCH"


# --- vendor -------------------------------------------------------------------------------------


def test_vendor_identification_codes():
    rows = vendor_answer(PartnerConfig(), vendor_rows(10))
    codes = [r["identification_code"] for r in rows]
    assert all(r["result"] == "OK" for r in rows)
    assert all(re.fullmatch(r"[0-9A-F]{32}", c) for c in codes)
    assert len(set(codes)) == 10


def test_vendor_code_depends_on_seed_and_card_no():
    base = vendor_answer(PartnerConfig(), vendor_rows(1))[0]["identification_code"]
    same_card = vendor_answer(PartnerConfig(), vendor_rows(1, item_no="X", name="别人"), "PO-9")[0]
    other_seed = vendor_answer(PartnerConfig(seed="other"), vendor_rows(1))[0]
    assert same_card["identification_code"] == base
    assert other_seed["identification_code"] != base


def test_vendor_is_deterministic():
    out = write_exchange(VENDOR_OUT, ORDER, vendor_rows(30))
    config = PartnerConfig(fail_rate=0.4)
    assert SimulatedCardVendor(config).process(out) == SimulatedCardVendor(config).process(out)


@pytest.mark.parametrize("over", [{"account_no": ""}, {"card_no": ""}, {"card_no": "  "}])
def test_vendor_refuses_incomplete_rows(over):
    rows = vendor_rows(2)
    rows[0].update(over)
    answer = vendor_answer(PartnerConfig(), rows)
    assert (answer[0]["result"], answer[0]["reason_code"], answer[0]["reason"]) == ("FAIL", "V03", "制卡数据不完整")
    assert answer[1]["result"] == "OK"


def test_vendor_fail_items_and_rates():
    config = PartnerConfig(fail_items={"1": ("V09", "测试原因"), id_number(3): ("V08", "另一原因")})
    results = {r["item_no"]: r["reason_code"] for r in vendor_answer(config, vendor_rows(3))}
    assert results == {"1": "V09", "2": "", "3": "V08"}
    failed = vendor_answer(PartnerConfig(fail_rate=1.0), vendor_rows(20))
    assert all(r["result"] == "FAIL" and (r["reason_code"], r["reason"]) in VENDOR_REASONS for r in failed)
    assert all(r["result"] == "OK" for r in vendor_answer(PartnerConfig(fail_rate=0.0), vendor_rows(20)))


# --- configuration ------------------------------------------------------------------------------


def test_config_defaults_without_setting(settings):
    if hasattr(settings, "SSCARD_SIMULATED_PARTNERS"):
        del settings.SSCARD_SIMULATED_PARTNERS
    assert partner_config_from_settings("bank") == PartnerConfig(0.0, {}, "sim")


def test_config_from_settings(settings):
    settings.SSCARD_SIMULATED_PARTNERS = {
        "bank": {"fail_rate": 0.1, "fail_items": {"7": ["B01", "证件信息核验未通过"]}, "seed": "x"},
    }
    bank = partner_config_from_settings("bank")
    assert bank.fail_rate == 0.1 and bank.seed == "x"
    assert bank.fail_items == {"7": ("B01", "证件信息核验未通过")}
    assert partner_config_from_settings("vendor") == PartnerConfig()


@pytest.mark.parametrize("value", [
    "bank",
    {"bank": "fast"},
    {"bank": {"fail_rate": "0.1"}},
    {"bank": {"fail_rate": 1.5}},
    {"bank": {"fail_rate": -0.1}},
    {"bank": {"fail_rate": True}},
    {"bank": {"fail_items": {"7": "B01"}}},
    {"bank": {"fail_items": {"7": ("B01",)}}},
    {"bank": {"fail_items": {"7": ("B01", "")}}},
    {"bank": {"fail_items": {7: ("B01", "原因")}}},
    {"bank": {"fail_items": [("7", "B01")]}},
    {"bank": {"seed": 3}},
    {"bank": {"seed": ""}},
    {"bank": {"fail_rat": 0.1}},
    {"bnak": {}},
])
def test_config_rejects_nonsense(settings, value):
    settings.SSCARD_SIMULATED_PARTNERS = value
    with pytest.raises(ValueError):
        partner_config_from_settings("bank")


def test_config_rejects_unknown_partner_name():
    with pytest.raises(ValueError):
        partner_config_from_settings("post_office")


# --- outbox -------------------------------------------------------------------------------------


@pytest.fixture
def boxes(tmp_path):
    outbox, inbox = tmp_path / "outbox", tmp_path / "inbox"
    outbox.mkdir()
    (outbox / exchange_filename(BANK_OUT, "PO-1")).write_bytes(write_exchange(BANK_OUT, "PO-1", bank_rows(3)))
    vendor_out = write_exchange(VENDOR_OUT, "PO-2", vendor_rows(2))
    (outbox / exchange_filename(VENDOR_OUT, "PO-2")).write_bytes(vendor_out)
    (outbox / "README.txt").write_text("not an exchange file")
    (outbox / exchange_filename(BANK_RESULT, "PO-3")).write_bytes(b"a result in the outbox is not ours")
    return outbox, inbox


def partners():
    return {"bank": SimulatedBank(PartnerConfig()), "vendor": SimulatedCardVendor(PartnerConfig())}


def test_answer_outbox_writes_complete_results_once(boxes):
    outbox, inbox = boxes
    written = answer_outbox(outbox, inbox, **partners())
    assert written == ["BANK_RESULT_PO-1.csv", "VENDOR_RESULT_PO-2.csv"]
    assert sorted(p.name for p in inbox.iterdir()) == written  # no temporary files left
    bank = read_exchange((inbox / written[0]).read_bytes(), kind=BANK_RESULT, order_no="PO-1")
    vendor = read_exchange((inbox / written[1]).read_bytes(), kind=VENDOR_RESULT, order_no="PO-2")
    assert len(bank.rows) == 3 and len(vendor.rows) == 2
    before = {p.name: p.read_bytes() for p in inbox.iterdir()}
    assert answer_outbox(outbox, inbox, **partners()) == []
    assert {p.name: p.read_bytes() for p in inbox.iterdir()} == before


def test_answer_outbox_skips_incomplete_out_file_until_complete(boxes):
    outbox, inbox = boxes
    full = write_exchange(BANK_OUT, "PO-4", bank_rows(2))
    (outbox / "BANK_OUT_PO-4.csv").write_bytes(full[: len(full) // 2])
    assert "BANK_RESULT_PO-4.csv" not in answer_outbox(outbox, inbox, **partners())
    assert not (inbox / "BANK_RESULT_PO-4.csv").exists()
    (outbox / "BANK_OUT_PO-4.csv").write_bytes(full)
    assert answer_outbox(outbox, inbox, **partners()) == ["BANK_RESULT_PO-4.csv"]


def test_answer_outbox_skips_file_whose_name_and_content_disagree(boxes):
    outbox, inbox = boxes
    (outbox / "BANK_OUT_PO-5.csv").write_bytes(write_exchange(BANK_OUT, "PO-6", bank_rows(1)))
    assert "BANK_RESULT_PO-5.csv" not in answer_outbox(outbox, inbox, **partners())


def test_answer_outbox_crash_while_writing_leaves_no_result(boxes, monkeypatch):
    outbox, inbox = boxes

    def broken_fsync(fd):
        raise OSError("power cut")

    with monkeypatch.context() as patch:
        patch.setattr(ef.os, "fsync", broken_fsync)
        with pytest.raises(OSError):
            answer_outbox(outbox, inbox, **partners())
    assert list(inbox.iterdir()) == []  # neither a partial result nor a temporary file
    assert answer_outbox(outbox, inbox, **partners()) == ["BANK_RESULT_PO-1.csv", "VENDOR_RESULT_PO-2.csv"]
