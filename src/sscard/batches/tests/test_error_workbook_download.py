"""The error workbook goes only to the submitting employer's handler at the batch's outlet, and each
download is audited (``batch_error_workbook_download`` through ``POST /batches/{no}/errors.xlsx``)."""

import datetime as dt
import io

import pytest
from openpyxl import load_workbook

from sscard.audit.models import AuditEvent
from sscard.employers.models import EmployerHandler
from sscard.testing import batch_files as bf
from sscard.testing import factories as f
from sscard.testing.batch_flow import paper_batch, paper_batch_body

pytestmark = pytest.mark.django_db


@pytest.fixture
def refused_batch(clerk_api, employer, django_capture_on_commit_callbacks):
    """A validated paper batch of the clerk's outlet: one row accepted, one refused (bad phone)."""
    rows = [bf.person_row(name="钱一", seq="1"), bf.person_row(name="孙二", seq="2", phone="1391234")]
    batch_no = paper_batch(clerk_api, employer, rows, capture=django_capture_on_commit_callbacks)
    assert clerk_api.get(f"/batches/{batch_no}").json()["refused_rows"] == 1
    return batch_no, rows


def _doc(person, doc_type="id_card"):
    return {"handler": {"doc_type": doc_type, "number": person.id_number}}


def _downloads(batch_no):
    return AuditEvent.objects.filter(event_type="BATCH_ERRORS_DOWNLOADED", subject_id=batch_no)


def test_the_handler_at_the_outlet_gets_it_masked_and_the_download_is_audited(clerk_api, clerk, employer,
                                                                              refused_batch):
    batch_no, rows = refused_batch
    _emp, handler = employer
    resp = clerk_api.post(f"/batches/{batch_no}/errors.xlsx", _doc(handler))
    assert resp.status_code == 200 and resp["Cache-Control"] == "no-store"
    ws = load_workbook(io.BytesIO(resp.content)).active
    got = [[c.value for c in row] for row in ws.iter_rows()]
    number = rows[1]["doc_number"]
    assert got == [["行号", "序号", "姓名", "证件号码", "退回原因"],
                   ["3", "2", "孙*", number[:4] + "*" * 10 + number[-4:], "联系手机须为 11 位手机号码"]]
    assert number not in resp.content.decode("latin-1") and "重庆市渝北区" not in str(got)
    [event] = _downloads(batch_no)
    assert (event.actor_kind, event.actor_id, event.outlet_id) == ("staff", clerk.pk, clerk.outlet_id)
    handler_row = EmployerHandler.objects.get(person=handler)
    assert event.person_id == handler.pk and event.data["handler_id"] == handler_row.pk
    assert event.data["refused_rows"] == 1 and len(event.data["sha256"]) == 64
    assert number not in str(event.data)
    clerk_api.post(f"/batches/{batch_no}/errors.xlsx", _doc(handler))
    assert _downloads(batch_no).count() == 2  # every download


def test_by_the_handlers_social_security_card_too(clerk_api, employer, refused_batch):
    batch_no, _ = refused_batch
    _emp, handler = employer
    card = f.make_card(handler)
    resp = clerk_api.post(f"/batches/{batch_no}/errors.xlsx",
                          {"handler": {"doc_type": "ss_card", "number": card.card_no}})
    assert resp.status_code == 200


def test_another_employers_handler_or_an_unknown_number_is_refused_alike(clerk_api, refused_batch):
    batch_no, _ = refused_batch
    _other, other_handler = f.make_employer(name="另一单位")
    unknown = bf.fresh_id(dt.date(1985, 1, 1))  # registered nowhere
    answers = []
    for body in (_doc(other_handler), {"handler": {"doc_type": "id_card", "number": unknown}}):
        resp = clerk_api.post(f"/batches/{batch_no}/errors.xlsx", body)
        assert resp.status_code == 422, resp.content
        answers.append((resp.json()["code"], resp.json()["message"]))
    assert answers[0] == answers[1] and answers[0][0] == "HANDLER_NOT_AUTHORISED"
    assert not _downloads(batch_no).exists()


def test_a_deactivated_handler_is_refused(clerk_api, employer, refused_batch):
    batch_no, _ = refused_batch
    emp, handler = employer
    EmployerHandler.objects.filter(employer=emp, person=handler).update(is_active=False)
    resp = clerk_api.post(f"/batches/{batch_no}/errors.xlsx", _doc(handler))
    assert (resp.status_code, resp.json()["code"]) == (422, "HANDLER_NOT_AUTHORISED")


def test_a_clerk_of_another_outlet_does_not_find_it(employer, refused_batch):
    batch_no, _ = refused_batch
    _emp, handler = employer
    elsewhere = f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))
    resp = elsewhere.post(f"/batches/{batch_no}/errors.xlsx", _doc(handler))
    assert (resp.status_code, resp.json()["code"]) == (404, "BATCH_NOT_FOUND")
    assert not _downloads(batch_no).exists()


@pytest.mark.parametrize("role", ["supervisor", "admin", "reviewer", "auditor", "hotline"])
def test_back_office_staff_are_refused(staff_api, employer, refused_batch, role):
    batch_no, _ = refused_batch
    _emp, handler = employer
    resp = staff_api(role).post(f"/batches/{batch_no}/errors.xlsx", _doc(handler))
    assert (resp.status_code, resp.json()["code"]) == (403, "ACCESS_DENIED")


def test_a_citizen_is_refused_even_the_handler_himself(employer, refused_batch):
    batch_no, _ = refused_batch
    _emp, handler = employer
    api = f.ApiClient(f.token_for(citizen=f.make_citizen(handler)))
    resp = api.post(f"/batches/{batch_no}/errors.xlsx", _doc(handler))
    assert (resp.status_code, resp.json()["code"]) == (403, "ACCESS_DENIED")
    assert not _downloads(batch_no).exists()


def test_the_old_get_no_longer_serves_it(clerk_api, refused_batch):
    batch_no, _ = refused_batch
    assert clerk_api.get(f"/batches/{batch_no}/errors.xlsx").status_code == 405


def test_not_before_validation(clerk_api, employer, django_capture_on_commit_callbacks):
    _emp, handler = employer
    with django_capture_on_commit_callbacks(execute=False):  # the validation task is not run
        resp = clerk_api.post("/batches/paper", paper_batch_body(employer, [bf.person_row(phone="1")]))
    batch_no = resp.json()["batch_no"]
    resp = clerk_api.post(f"/batches/{batch_no}/errors.xlsx", _doc(handler))
    assert (resp.status_code, resp.json()["code"]) == (404, "ERRORS_NOT_READY")


def test_a_kiosk_of_the_outlet_hands_it_out_too(kiosk_api, kiosk, employer, refused_batch):
    batch_no, _ = refused_batch
    _emp, handler = employer
    resp = kiosk_api.post(f"/batches/{batch_no}/errors.xlsx", _doc(handler))
    assert resp.status_code == 200, resp.content
    [event] = _downloads(batch_no)
    assert (event.actor_kind, event.actor_id) == ("kiosk", kiosk.pk)
