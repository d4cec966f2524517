"""Batch submission through the API: file and paper routes, background validation, refusals."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from sscard.audit.models import AuditEvent
from sscard.batches import columns as cols
from sscard.batches.models import Batch, BatchRow
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.employers.rules import make_uscc
from sscard.testing import batch_files as bf
from sscard.testing import factories as f
from sscard.testing.photos import photo_bytes

pytestmark = pytest.mark.django_db
WED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def meta(employer, *, business="batch_apply", evidence=True, doc=None, uscc=None):
    emp, handler = employer
    body = {"business": business, "employer_uscc": uscc or emp.uscc,
            "handler": doc or {"doc_type": "id_card", "number": handler.id_number}}
    if evidence:
        body["evidence"] = f.window_evidence()
    return json.dumps(body)


def submit(api, employer, rows, *, scans=None, kind=cols.NEW_CARD, **kw):
    files = {"workbook": SimpleUploadedFile("b.xlsx", bf.workbook(kind, rows)),
             "scans": SimpleUploadedFile("s.zip", scans if scans is not None else bf.scans_for(rows))}
    return api.client.post("/api/v1/batches", data={"meta": meta(employer, **kw), **files},
                           headers=api._headers(None))


def test_file_batch_is_validated_in_background_and_rows_become_applications(
        clerk_api, outlet, employer, django_capture_on_commit_callbacks):
    clock.freeze(WED)
    guardian = bf.fresh_id(dt.date(1980, 1, 1))
    rows = [bf.person_row(name="李一"), bf.person_row(name="李二"), bf.minor_row(guardian)]
    files = bf.scans_for(rows[:2])
    files_minor = bf.scan_files(rows[2], photo_too=False)  # a minor may omit the photo
    scans = bf.scans_zip({**_unzip(files), **files_minor})
    with django_capture_on_commit_callbacks(execute=True):
        resp = submit(clerk_api, employer, rows, scans=scans)
    assert resp.status_code == 202, resp.content
    batch_no = resp.json()["batch_no"]
    out = clerk_api.get(f"/batches/{batch_no}").json()
    assert (out["status"], out["total_rows"], out["accepted_rows"], out["refused_rows"]) == ("validated", 3, 3, 0)
    assert out["progress_percent"] == 100 and out["error_workbook"] is None
    # 10 working days from Wednesday 2026-11-25: the first day is not counted -> Wednesday 2026-12-09.
    due = dt.datetime.fromisoformat(out["due_at"].replace("Z", "+00:00")).astimezone(WED.tzinfo)
    assert (due.date(), due.hour, due.minute) == (dt.date(2026, 12, 9), 23, 59)
    reqs = ServiceRequest.objects.filter(applicant_role="unit").order_by("request_no")
    assert reqs.count() == 3
    assert {r.status for r in reqs} == {"in_production"}
    assert {r.production_mode for r in reqs} == {"batch"}
    assert {r.pickup_outlet_id for r in reqs} == {outlet.pk}
    assert all(r.agent_id == employer[1].pk for r in reqs)
    minor_req = reqs.get(applicant__birth_date__gt=dt.date(2010, 1, 1))
    assert minor_req.payload["guardian"]["number"].startswith(guardian[:4])
    assert "*" in minor_req.payload["guardian"]["number"]
    assert {r.applicant.id_number for r in reqs} == {r["doc_number"] for r in rows}
    types = list(AuditEvent.objects.filter(subject_id=batch_no).values_list("event_type", flat=True))
    assert types.count("EVIDENCE_ARCHIVED") == 3  # credential, scene and signature of the handler
    assert types.index("BATCH_SUBMITTED") < types.index("BATCH_ROWS_PROCESSED") and types[-1] == "BATCH_VALIDATED"


def _unzip(content: bytes) -> dict[str, bytes]:
    import io
    import zipfile

    with zipfile.ZipFile(io.BytesIO(content)) as zf:
        return {n: zf.read(n) for n in zf.namelist()}


def test_row_data_is_encrypted_at_rest(clerk_api, employer, django_capture_on_commit_callbacks):
    from django.db import connection

    rows = [bf.person_row()]
    with django_capture_on_commit_callbacks(execute=True):
        assert submit(clerk_api, employer, rows).status_code == 202
    with connection.cursor() as cur:
        cur.execute("SELECT data FROM batches_batchrow")
        (data,) = cur.fetchone()
    assert rows[0]["doc_number"] not in data and "13912345678" not in data


def test_files_are_streamed_to_storage_encrypted_and_the_parts_too(
        clerk_api, employer, settings, django_capture_on_commit_callbacks):
    """The submission stores the sheet and the zip, sealed by the storage, and nothing else; the structural
    checks in the task write the parts and repack the zip under opaque member names (the zip as received
    is gone); the rows are validated from them."""
    import zipfile

    from django.core.files.storage import default_storage

    from sscard.batches import storage
    from sscard.batches.models import BatchPart
    from sscard.batches.validation import batch_validate

    def raw(name):  # the bytes at rest, under the encrypting wrapper
        with default_storage.inner.open(name, "rb") as fh:
            return fh.read()

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    settings.SSCARD_BATCH_PART_ROWS = 1
    rows = [bf.person_row(name="周一"), bf.person_row(name="周二", phone="1")]
    book = bf.workbook(cols.NEW_CARD, rows)  # the very bytes posted (a workbook made twice may differ)
    with django_capture_on_commit_callbacks(execute=True):
        resp = clerk_api.client.post("/api/v1/batches", headers=clerk_api._headers(None), data={
            "meta": meta(employer), "workbook": SimpleUploadedFile("b.xlsx", book),
            "scans": SimpleUploadedFile("s.zip", bf.scans_for(rows))})
    assert resp.status_code == 202, resp.content
    out = resp.json()
    batch_no = out["batch_no"]
    assert (out["status"], out["status_url"], out["total_rows"]) == ("queued", f"/api/v1/batches/{batch_no}", 0)
    assert sorted(default_storage.listdir(f"batches/{batch_no}")[1]) == ["scans.zip", "source.xlsx.enc"]
    source = f"batches/{batch_no}/source.xlsx.enc"
    for name in (source, f"batches/{batch_no}/scans.zip"):
        content = raw(name)
        assert content.startswith(b"SSCF\x01") and b"PK\x03\x04" not in content
        assert rows[0]["doc_number"].encode() not in content
    assert storage.read_encrypted(source) == book
    assert Batch.objects.get(batch_no=batch_no).source_sha256 == __import__("hashlib").sha256(book).hexdigest()
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_validate(batch_no=batch_no)
    assert (batch.status, batch.total_rows, batch.accepted_rows, batch.refused_rows) == ("validated", 2, 1, 1)
    parts = list(BatchPart.objects.filter(batch=batch).order_by("part_no"))
    assert [(p.first_line, p.last_line, p.done_at is not None) for p in parts] == [(2, 2, True), (3, 3, True)]
    for part in parts:
        content = raw(part.file_name)
        assert rows[0]["doc_number"].encode() not in content and "周".encode() not in content
        assert len(storage.read_encrypted_json(part.file_name)["scans"]["names"]) == 3  # its own row's only
    # the kept zip: repacked, sealed, no ID number in a member name; the zip as received is deleted
    kept = Batch.objects.get(batch_no=batch_no).scans_name
    assert kept.startswith(f"batches/{batch_no}/scans-") and not default_storage.exists(storage.scans_name(batch_no))
    assert raw(kept).startswith(b"SSCF\x01")
    with storage.local_decrypted(kept) as path, zipfile.ZipFile(path) as zf:
        names = zf.namelist()
    assert len(names) == 6 and all(n.split(".")[0].isdigit() and len(n) == 10 for n in names), names
    assert not any(r["doc_number"] in n for r in rows for n in names)
    refused = BatchRow.objects.get(batch=batch, status="refused")
    assert refused.line_no == 3 and "联系手机" in refused.reason
    accepted = BatchRow.objects.get(batch=batch, status="accepted")
    assert set(accepted.scans) == {"photo", "id_front", "id_back"}


def test_paper_route_rows_keyed_by_the_clerk(clerk_api, employer, django_capture_on_commit_callbacks):
    emp, handler = employer
    rows = [bf.person_row(name="孙一"), bf.person_row(name="孙二", phone="123")]
    body = {"business": "batch_apply", "employer_uscc": emp.uscc,
            "handler": {"doc_type": "id_card", "number": handler.id_number}, "evidence": f.window_evidence(),
            "rows": rows, "intro_letter_ref": "渝中区2026-介绍信-0001"}
    with django_capture_on_commit_callbacks(execute=True):
        resp = clerk_api.post("/batches/paper", body)
    assert resp.status_code == 202, resp.content
    out = clerk_api.get(f"/batches/{resp.json()['batch_no']}").json()
    assert (out["route"], out["accepted_rows"], out["refused_rows"]) == ("paper", 1, 1)
    refused = clerk_api.get(f"/batches/{out['batch_no']}/rows", status="refused").json()
    assert refused[0]["line_no"] == 3 and "联系手机" in refused[0]["reason"]
    assert "*" in refused[0]["id_number"]


def test_paper_route_needs_the_introduction_letter(clerk_api, employer):
    emp, handler = employer
    body = {"business": "batch_apply", "employer_uscc": emp.uscc,
            "handler": {"doc_type": "id_card", "number": handler.id_number}, "evidence": f.window_evidence(),
            "rows": [bf.person_row()]}
    resp = clerk_api.post("/batches/paper", body)
    assert resp.status_code == 422 and resp.json()["code"] == "INTRO_LETTER_MISSING"
    assert Batch.objects.count() == 0


@pytest.mark.parametrize("case, code, status", [
    ("stranger", "HANDLER_NOT_AUTHORISED", 422),
    ("no_evidence", "EVIDENCE_CREDENTIAL_MISSING", 422),
    ("hukou_doc", "MATERIAL_HANDLER_DOC", 422),
    ("unknown_employer", "EMPLOYER_NOT_FOUND", 404),
])
def test_submission_refusals_store_nothing(clerk_api, employer, case, code, status):
    from django.core.files.storage import default_storage

    rows = [bf.person_row()]
    kw = {}
    if case == "stranger":
        kw["doc"] = {"doc_type": "id_card", "number": f.make_person(name="路人").id_number}
    elif case == "no_evidence":
        kw["evidence"] = False
    elif case == "hukou_doc":
        kw["doc"] = {"doc_type": "hukou", "number": employer[1].id_number}
    elif case == "unknown_employer":
        kw["uscc"] = make_uscc(body8="MA9Y9998")
    resp = submit(clerk_api, employer, rows, **kw)
    assert resp.status_code == status, resp.content
    assert resp.json()["code"] == code
    assert Batch.objects.count() == 0 and BatchRow.objects.count() == 0
    assert not default_storage.exists("batches")


def test_kiosk_may_submit_files_but_not_reissues_or_paper(kiosk_api, employer, django_capture_on_commit_callbacks):
    rows = [bf.person_row()]
    with django_capture_on_commit_callbacks(execute=True):
        resp = submit(kiosk_api, employer, rows, evidence=False)
    assert resp.status_code == 202, resp.content
    assert resp.json()["voucher_no"].startswith("PZ")
    voucher = kiosk_api.get(f"/batches/{resp.json()['batch_no']}/voucher.pdf")
    assert voucher.status_code == 200 and voucher.content.startswith(b"%PDF")
    from pypdf import PdfReader

    text = PdfReader(__import__("io").BytesIO(voucher.content)).pages[0].extract_text()
    assert resp.json()["voucher_no"] in text
    resp = submit(kiosk_api, employer, [bf.person_row(kind=cols.REISSUE)], kind=cols.REISSUE,
                  business="batch_reissue", evidence=False)
    assert resp.status_code == 422 and resp.json()["code"] == "BUSINESS_NOT_ON_CHANNEL"
    emp, handler = employer
    resp = kiosk_api.post("/batches/paper", {"business": "batch_apply", "employer_uscc": emp.uscc,
                                             "handler": {"doc_type": "id_card", "number": handler.id_number},
                                             "rows": rows, "intro_letter_ref": "x"})
    assert resp.status_code == 422 and resp.json()["code"] == "ROUTE_NOT_ALLOWED"


def test_same_file_twice_is_one_batch(clerk_api, employer, django_capture_on_commit_callbacks):
    rows = [bf.person_row()]
    scans = bf.scans_for(rows)
    book = bf.workbook(cols.NEW_CARD, rows)

    def post():
        files = {"workbook": SimpleUploadedFile("b.xlsx", book), "scans": SimpleUploadedFile("s.zip", scans)}
        return clerk_api.client.post("/api/v1/batches", data={"meta": meta(employer), **files},
                                     headers=clerk_api._headers(None))

    with django_capture_on_commit_callbacks(execute=True):
        first = post()
    second = post()
    assert first.status_code == 202 and second.status_code == 409
    assert second.json()["code"] == "BATCH_ALREADY_SUBMITTED"
    assert second.json()["details"]["batch_no"] == first.json()["batch_no"]
    assert Batch.objects.count() == 1


def test_other_outlets_clerk_cannot_see_the_batch(clerk_api, employer, staff_api, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        batch_no = submit(clerk_api, employer, [bf.person_row()]).json()["batch_no"]
    other = staff_api("clerk", f.make_outlet())
    assert other.get(f"/batches/{batch_no}").status_code == 404
    assert staff_api("supervisor").get(f"/batches/{batch_no}").status_code == 200
    assert staff_api("reviewer").get(f"/batches/{batch_no}").status_code == 403


def _rezip(content: bytes, replace: dict[str, bytes]) -> bytes:
    import io
    import zipfile

    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(content)) as src, zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as dst:
        for info in src.infolist():
            dst.writestr(info.filename, replace.get(info.filename, src.read(info.filename)))
    return out.getvalue()


def _hostile(case: str, rows) -> tuple[bytes, bytes]:
    import io
    import zipfile

    book, scans = bf.workbook(cols.NEW_CARD, rows), bf.scans_for(rows)
    if case == "xml_bomb":
        sheet = [n for n in zipfile.ZipFile(io.BytesIO(book)).namelist() if n.startswith("xl/worksheets/")][0]
        body = zipfile.ZipFile(io.BytesIO(book)).read(sheet)
        body = body.split(b"?>", 1)[1] if body.startswith(b"<?xml") else body
        bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
                + body)
        book = _rezip(book, {sheet: bomb})
    elif case == "macros":  # an .xlsm's VBA project in a file named .xlsx
        out = io.BytesIO()
        out.write(book)
        with zipfile.ZipFile(out, "a") as zf:
            zf.writestr("xl/vbaProject.bin", b"\xd0\xcf\x11\xe0 a VBA project")
        book = out.getvalue()
    elif case == "not_xlsx":
        book = b"PK\x03\x04 not really a workbook"
    elif case == "traversal":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w") as zf:
            zf.writestr("../../etc/cron.d/evil.jpg", bf.photo())
        scans = buf.getvalue()
    elif case == "zip_bomb":
        buf = io.BytesIO()
        with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
            zf.writestr(f"{rows[0]['doc_number']}.jpg", b"\0" * (20 * 1024 * 1024))
        scans = buf.getvalue()
    return book, scans


def _refusal(book: bytes, scans: bytes):
    """What the readers themselves say of these files (the message the request used to answer with)."""
    from sscard.batches.scans import open_scans
    from sscard.batches.workbook_reader import read_workbook
    from sscard.core.errors import InvalidInput

    try:
        read_workbook(book, kind=cols.NEW_CARD)
        open_scans(scans).close()
    except InvalidInput as exc:
        return exc
    raise AssertionError("not refused")


@pytest.mark.parametrize("case, code", [("xml_bomb", "WORKBOOK_XML_UNSAFE"), ("not_xlsx", "WORKBOOK_NOT_XLSX"),
                                        ("macros", "WORKBOOK_MACROS"),
                                        ("traversal", "SCANS_UNSAFE_NAME"), ("zip_bomb", "SCANS_ZIP_BOMB")])
def test_hostile_files_are_refused_by_the_task_and_not_kept(clerk_api, employer, case, code,
                                                            django_capture_on_commit_callbacks):
    from django.core.files.storage import default_storage


    rows = [bf.person_row()]
    book, scans = _hostile(case, rows)
    with django_capture_on_commit_callbacks(execute=True):
        resp = clerk_api.client.post("/api/v1/batches", headers=clerk_api._headers(None), data={
            "meta": meta(employer), "workbook": SimpleUploadedFile("b.xlsx", book),
            "scans": SimpleUploadedFile("s.zip", scans)})
    # Received at once; the structural checks in the task refuse the file: the status shows the code and
    # the message, and the refused files are not kept.
    assert resp.status_code == 202, resp.content
    out = clerk_api.get(resp.json()["status_url"].removeprefix("/api/v1")).json()
    assert (out["status"], out["failure_code"]) == ("failed", code)
    assert out["failure"] == _refusal(book, scans).message and out["error_workbook"] is None
    assert BatchRow.objects.count() == 0
    _dirs, names = default_storage.listdir(f"batches/{out['batch_no']}")
    assert names == []
    events = list(AuditEvent.objects.filter(subject_id=out["batch_no"]).values_list("event_type", flat=True))
    assert events[-1] == "BATCH_FAILED"


def test_reissue_sheet_needs_a_photo_only_when_it_changes(clerk_api, employer, django_capture_on_commit_callbacks):
    """Catalogue: batch_reissue photo = on_change; the new-card sheet always needs one (adults)."""
    holders = []
    for name in ("冯一", "冯二"):
        person = f.make_person(name=name)
        f.make_card(person)
        holders.append(person)
    keep = bf.person_row(kind=cols.REISSUE, name="冯一", doc_number=holders[0].id_number, business="换领",
                         reason="损坏", photo_changed="否")
    change = bf.person_row(kind=cols.REISSUE, name="冯二", doc_number=holders[1].id_number, business="换领",
                           reason="损坏", photo_changed="是")
    files = {**bf.scan_files(keep, photo_too=False), **bf.scan_files(change, photo_too=False)}
    with django_capture_on_commit_callbacks(execute=True):
        resp = submit(clerk_api, employer, [keep, change], scans=bf.scans_zip(files), kind=cols.REISSUE,
                      business="batch_reissue")
    assert resp.status_code == 202, resp.content
    assert resp.json()["voucher_no"] == ""  # a window batch prints no kiosk voucher
    rows = {r["line_no"]: r for r in clerk_api.get(f"/batches/{resp.json()['batch_no']}/rows").json()}
    assert rows[2]["status"] == "accepted"
    assert rows[3]["status"] == "refused" and rows[3]["reason"] == "缺少照片扫描件（应命名为“证件号码.jpg”）"


def test_a_row_whose_photo_shows_no_face_is_refused_with_the_reason(
        clerk_api, employer, settings, django_capture_on_commit_callbacks):
    rows = [bf.person_row(name="李一"), bf.person_row(name="李二")]
    files = _unzip(bf.scans_for(rows))
    files[f"{rows[1]['doc_number']}.jpg"] = photo_bytes(faces=())
    with django_capture_on_commit_callbacks(execute=True):
        resp = submit(clerk_api, employer, rows, scans=bf.scans_zip(files))
    batch_no = resp.json()["batch_no"]
    out = clerk_api.get(f"/batches/{batch_no}").json()
    assert (out["accepted_rows"], out["refused_rows"]) == (1, 1)
    refused = BatchRow.objects.get(batch__batch_no=batch_no, status="refused")
    assert refused.line_no == 3 and "照片：照片中未检测到人脸" in refused.reason

    settings.SSCARD_BATCH_PHOTO_FACES = False  # the switch of the batch path: the face is left to the window
    rows = [bf.person_row(name="李三")]
    files = _unzip(bf.scans_for(rows))
    files[f"{rows[0]['doc_number']}.jpg"] = photo_bytes(faces=())
    with django_capture_on_commit_callbacks(execute=True):
        resp = submit(clerk_api, employer, rows, scans=bf.scans_zip(files))
    out = clerk_api.get(f"/batches/{resp.json()['batch_no']}").json()
    assert (out["accepted_rows"], out["refused_rows"]) == (1, 0)


@pytest.mark.parametrize("which", ["received", "part"])
def test_a_batch_file_changed_at_rest_fails_the_batch_clearly(clerk_api, employer, settings, which,
                                                              django_capture_on_commit_callbacks):
    """A sealed file that no longer opens (one byte changed) fails the batch as unreadable, whether it is
    the zip as received (the structural checks) or a part (a part task); never a crash of the task."""
    from django.core.files.base import ContentFile
    from django.core.files.storage import default_storage

    from sscard.batches import storage
    from sscard.batches.models import BatchPart
    from sscard.batches.validation import UNREADABLE, batch_prepare, batch_validate

    def tamper(name):
        with default_storage.inner.open(name, "rb") as fh:
            raw = bytearray(fh.read())
        raw[-30] ^= 0x01
        default_storage.inner.delete(name)
        default_storage.inner.save(name, ContentFile(bytes(raw)))

    settings.TASKS = {"default": {"BACKEND": "django_tasks.backends.dummy.DummyBackend"}}
    rows = [bf.person_row(name="吴一")]
    with django_capture_on_commit_callbacks(execute=True):
        batch_no = submit(clerk_api, employer, rows).json()["batch_no"]
    if which == "received":
        tamper(storage.scans_name(batch_no))
    else:
        with django_capture_on_commit_callbacks(execute=True):
            batch_prepare(batch_no=batch_no)
        tamper(BatchPart.objects.get(batch__batch_no=batch_no).file_name)
    with django_capture_on_commit_callbacks(execute=True):
        batch = batch_validate(batch_no=batch_no)
    assert (batch.status, batch.failure) == ("failed", UNREADABLE)
    out = clerk_api.get(f"/batches/{batch_no}")
    assert out.status_code == 200 and out.json()["status"] == "failed"
