"""Access rules and rendering of the production-business endpoints."""

import pytest

from sscard.desk.models import ServiceRequest
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import apply_body, req_of, snapshot

pytestmark = pytest.mark.django_db


def test_only_channel_actors_apply(staff_api, reviewer_api):
    for api in (reviewer_api, staff_api("supervisor"), f.ApiClient()):
        resp = api.post("/applications", apply_body())
        assert resp.status_code in (401, 403) and resp.json()["message"]
    assert ServiceRequest.objects.count() == 0


def test_bad_bodies_are_4xx_with_chinese_messages(clerk_api):
    for body in ({}, {"applicant": {"doc_type": "mystery", "number": "1"}},
                 {"applicant": {"doc_type": "id_card", "number": "110105194912310022", "name": "甲"}}):
        resp = clerk_api.post("/applications", body)
        assert 400 <= resp.status_code < 500 and resp.json()["message"]
    resp = clerk_api.post("/cards/reissue", {"applicant": {"doc_type": "id_card", "number": "1"}, "reason": "bored"})
    assert resp.status_code == 400 and resp.json()["code"] == "INPUT_INVALID"
    assert ServiceRequest.objects.count() == 0


def test_request_out_has_no_personal_data(clerk_api):
    body = apply_body(name="欧阳娜娜")
    resp = clerk_api.post("/applications", body)
    text = resp.content.decode()
    assert resp.status_code == 201
    assert body["applicant"]["number"] not in text and "欧阳" not in text and "13900139000" not in text
    status = clerk_api.get(f"/requests/{resp.json()['request_no']}")
    assert status.status_code == 200 and body["applicant"]["number"] not in status.content.decode()


def test_window_steps_need_a_clerk_of_the_outlet(clerk_api, outlet, kiosk_api, supervisor_api):
    outlet.has_signature_pad = False
    outlet.save()
    req = req_of(clerk_api.post("/applications", apply_body()))
    before = snapshot(req)
    for api in (kiosk_api, supervisor_api, f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))):
        resp = api.post(f"/requests/{req.request_no}/signed-form", {"reference": "QZ-1"})
        assert resp.status_code == 403
    assert snapshot(req) == before
    assert kiosk_api.get(f"/requests/{req.request_no}/form.pdf").status_code == 403


def test_review_needs_a_reviewer(citizen_api, adult, clerk_api):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    req = req_of(citizen_api.post("/applications", body))
    before = snapshot(req)
    for api in (citizen_api, clerk_api):
        assert api.post(f"/requests/{req.request_no}/approve", {}).status_code == 403
    assert snapshot(req) == before


def test_citizen_withdraws_own_pending_application(citizen_api, adult):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    req = req_of(citizen_api.post("/applications", body))
    resp = citizen_api.post(f"/requests/{req.request_no}/void", {"reason": "不需要了"})
    assert req_of(resp).status == "voided"
    assert audit_types(req.request_no)[-1] == "REQUEST_VOIDED"


def test_voucher_pdf_only_for_kiosk_requests(clerk_api, kiosk_api):
    req = req_of(clerk_api.post("/applications", apply_body()))
    resp = clerk_api.get(f"/requests/{req.request_no}/voucher.pdf")
    assert resp.status_code == 404 and resp.json()["code"] == "VOUCHER_NOT_FOUND"
    assert kiosk_api.get(f"/requests/{req.request_no}/voucher.pdf").status_code == 404


def test_unknown_request_is_404(clerk_api, supervisor_api):
    assert clerk_api.get("/requests/YW0000").status_code == 404
    resp = supervisor_api.post("/requests/YW0000/deliver")
    assert resp.status_code == 404 and resp.json()["code"] == "REQUEST_NOT_FOUND"
