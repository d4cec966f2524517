"""A 1,000-row detail sheet with planted bad rows: accepted rows become applications, and the error
workbook is exactly the refused rows (row number, 序号, masked name and ID number) with their Chinese
reasons (formula cells escaped)."""

import datetime as dt
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import load_workbook

from sscard.batches import columns as cols
from sscard.batches.applications import not_by_batch
from sscard.batches.scans import check_photo
from sscard.core import masking
from sscard.core.errors import InvalidInput
from sscard.desk.models import ServiceRequest
from sscard.people.idnumbers import parse_identity
from sscard.testing import batch_files as bf
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db
KEYS = [c.key for c in cols.columns(cols.NEW_CARD)]


def _bad_check_digit(number: str) -> str:
    last = "0" if number[-1] != "0" else "1"
    return number[:-1] + last


def _id_message(number: str) -> str:
    try:
        parse_identity("id_card", number, today=dt.date.today())
    except InvalidInput as exc:
        return exc.message
    raise AssertionError("expected an invalid number")


def test_thousand_rows_with_planted_bad_rows(clerk_api, django_capture_on_commit_callbacks, settings):
    settings.SSCARD_BATCH_CHUNK_ROWS = 250
    employer = f.make_employer()
    rows = [bf.person_row(name=f"郑{i:04d}", seq=str(i + 1)) for i in range(1000)]
    files: dict[str, bytes] = {}
    for row in rows:
        files.update(bf.scan_files(row))
    dark = f.jpeg_bytes(358, 441, color=(20, 20, 20))
    holder = f.make_person(name="持卡人")
    f.make_card(holder)
    pending = f.make_person(name="办理中")
    expected: dict[int, str] = {}  # sheet line (row index + 2) -> reason

    def plant(i, reason, **changes):
        old = rows[i]["doc_number"]
        rows[i].update(changes)
        new = rows[i]["doc_number"]
        if new != old:
            for suffix in ("", "_正面", "_反面"):
                files[f"{new}{suffix}.jpg"] = files.pop(f"{old}{suffix}.jpg")
        expected[i + 2] = reason

    bad = _bad_check_digit(rows[10]["doc_number"])
    plant(10, _id_message(bad), doc_number=bad)
    plant(20, "联系手机须为 11 位手机号码", phone="1391234")
    plant(30, "性别与证件号码不一致", gender="女" if rows[30]["gender"] == "男" else "男")
    plant(40, "姓名含有不允许的字符或过长", name="=HYPERLINK(\"http://x\",\"点我\")")
    plant(50, "服务银行不在合作银行范围内", service_bank="某某银行")
    child = bf.fresh_id(dt.date(2015, 5, 5))
    plant(60, "未成年人须填写监护人证件类型、证件号码和姓名", doc_number=child,
          birth_date=f"{child[6:10]}-{child[10:12]}-{child[12:14]}")
    files[f"{rows[60]['doc_number']}_户口本人页.jpg"] = bf.scan()
    files[f"{rows[60]['doc_number']}_户口增减页.jpg"] = bf.scan()
    dup = rows[70]["doc_number"]
    plant(71, "文件内证件号码重复（与第 72 行相同）", doc_number=dup)
    expected[72] = "文件内证件号码重复（与第 73 行相同）"
    del files[f"{rows[80]['doc_number']}.jpg"]
    expected[82] = "缺少照片扫描件（应命名为“证件号码.jpg”）"
    files[f"{rows[90]['doc_number']}.jpg"] = dark
    expected[92] = "；".join(f"照片：{p}" for p in check_photo(dark))
    del files[f"{rows[100]['doc_number']}_反面.jpg"]
    expected[102] = "缺少身份证反面扫描件（应命名为“证件号码_反面.jpg”）"
    plant(110, not_by_batch("社保卡申领"), doc_number=holder.id_number, name=holder.name,
          birth_date=holder.birth_date.isoformat(), gender="男")
    files[f"{holder.id_number}.jpg"] = bf.photo()
    files[f"{holder.id_number}_正面.jpg"] = files[f"{holder.id_number}_反面.jpg"] = bf.scan()
    ServiceRequest.objects.create(request_no="YW-PENDING-1", business="apply", channel="app", applicant_role="self",
                                  catalogue_version="x", applicant=pending, actor_name="t", actor_role="citizen",
                                  status="pending_review", created_at=holder.created_at, updated_at=holder.created_at)
    plant(120, not_by_batch("社保卡申领"), doc_number=pending.id_number, name=pending.name,
          birth_date=pending.birth_date.isoformat(), gender="男")
    files[f"{pending.id_number}.jpg"] = bf.photo()
    files[f"{pending.id_number}_正面.jpg"] = files[f"{pending.id_number}_反面.jpg"] = bf.scan()
    assert dark != bf.photo() and len(expected) == 13

    book = bf.workbook(cols.NEW_CARD, rows)
    emp, handler = employer
    meta = ('{"business": "batch_apply", "employer_uscc": "%s", "handler": {"doc_type": "id_card", "number": "%s"},'
            ' "evidence": %s}' % (emp.uscc, handler.id_number, __import__("json").dumps(f.window_evidence())))
    with django_capture_on_commit_callbacks(execute=True):
        resp = clerk_api.client.post("/api/v1/batches", headers=clerk_api._headers(None), data={
            "meta": meta, "workbook": SimpleUploadedFile("b.xlsx", book),
            "scans": SimpleUploadedFile("s.zip", bf.scans_zip(files))})
    assert resp.status_code == 202, resp.content
    batch_no = resp.json()["batch_no"]
    out = clerk_api.get(f"/batches/{batch_no}").json()
    assert (out["total_rows"], out["accepted_rows"], out["refused_rows"]) == (1000, 987, 13)
    assert ServiceRequest.objects.filter(applicant_role="unit").count() == 987

    handler_doc = {"handler": {"doc_type": "id_card", "number": handler.id_number}}
    errors = clerk_api.post(f"/batches/{batch_no}/errors.xlsx", handler_doc)
    assert errors.status_code == 200 and errors["Content-Type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(errors.content)).active
    got = [[c.value or "" for c in row] for row in ws.iter_rows()]
    assert got[0] == ["行号", "序号", "姓名", "证件号码", "退回原因"]
    want = []
    for line in sorted(expected):
        row = rows[line - 2]
        name = masking.mask_name(row["name"])
        want.append([str(line), row["seq"], "'" + name if name.startswith("=") else name,
                     masking.mask_id_number(row["doc_number"]), expected[line]])
    assert got[1:] == want
    assert all(c.data_type != "f" for row in ws.iter_rows() for c in row)
    body = [c for row in got[1:] for c in row[:4]]
    assert not any(rows[line - 2]["doc_number"] in c or rows[line - 2]["phone"] in c
                   for line in expected for c in body)
    again = clerk_api.post(f"/batches/{batch_no}/errors.xlsx", handler_doc).content
    assert errors.content == again  # deterministic
