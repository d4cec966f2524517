"""社保卡申领 through the API: window (instant, deferred, paper form), kiosk voucher, refusals."""

import pytest

from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.people.models import Person
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import apply_body, fail_printer, originals, req_of, snapshot

pytestmark = pytest.mark.django_db


def test_window_self_apply_is_made_and_handed_over_at_once(clerk_api, outlet):
    resp = clerk_api.post("/applications", apply_body())
    req = req_of(resp)
    assert resp.status_code == 201
    body = resp.json()
    assert body["status"] == "completed" and body["production_mode"] == "instant"
    assert "number" not in resp.content.decode() and "李四" not in resp.content.decode()
    card = Card.objects.get(pk=req.new_card_id)
    assert card.state == "made" and card.issued_outlet_id == outlet.pk and card.issued_at is not None
    assert card.activated_at is None and card.origin_channel == "window"
    assert req.applicant_role == "self" and req.archive_mode == "digital" and req.signature_mode == "pad"
    assert audit_types(req.request_no).count("EVIDENCE_ARCHIVED") == 4  # credential, scene, signature, photo
    assert "REQUEST_SUBMITTED" in audit_types(req.request_no)
    assert audit_types(card.card_no) == ["CARD_MADE", "CARD_HANDED_OVER"]


def test_fifteen_digit_number_is_upgraded(clerk_api):
    import datetime as dt

    body = apply_body(number="500103850615123", birth=dt.date(1985, 6, 15))
    req = req_of(clerk_api.post("/applications", body))
    assert len(req.applicant.id_number) == 18 and req.applicant.id_number.startswith("50010319850615123")
    assert req.applicant.birth_date == dt.date(1985, 6, 15)


def test_birth_date_required_when_the_number_does_not_carry_it(clerk_api):
    body = apply_body(number="E12345678", birth=None)
    body["applicant"]["doc_type"] = "passport"
    resp = clerk_api.post("/applications", body)
    assert resp.status_code == 400 and resp.json()["code"] == "BIRTH_DATE_REQUIRED"
    assert Person.objects.count() == 0 and ServiceRequest.objects.count() == 0
    body["applicant"]["birth_date"] = "1990-02-03"
    req = req_of(clerk_api.post("/applications", body))
    assert req.applicant.birth_date.isoformat() == "1990-02-03"


def test_adult_by_agent_and_minor_by_agent_at_the_window(clerk_api, adult):
    agent = {"doc_type": "id_card", "number": adult.id_number}
    req = req_of(clerk_api.post("/applications", apply_body(agent=agent)))
    assert req.applicant_role == "proxy_adult" and req.agent_id == adult.pk
    minor = apply_body(birth=f.minor_birth(), name="李小", agent=agent, photo=False)
    minor["applicant"]["doc_type"] = "hukou"
    req = req_of(clerk_api.post("/applications", minor))
    assert req.applicant_role == "proxy_minor" and req.status == "completed"


def test_minor_without_photo_is_fine_but_adult_needs_one(clerk_api, adult):
    resp = clerk_api.post("/applications", apply_body(photo=False))
    assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_PHOTO_MISSING"
    assert ServiceRequest.objects.count() == 0


def test_person_with_live_card_or_pending_application_cannot_apply(clerk_api, adult, outlet):
    f.make_card(adult)
    resp = clerk_api.post("/applications", apply_body(number=adult.id_number))
    assert resp.status_code == 422 and resp.json()["code"] == "CARD_ALREADY_HELD"
    outlet.issuance_status = "device_failed"
    outlet.save()
    number = f.id_number_for(f.adult_birth())
    first = req_of(clerk_api.post("/applications", apply_body(number=number)))
    assert first.status == "in_production"
    resp = clerk_api.post("/applications", apply_body(number=number))
    assert resp.status_code == 422 and resp.json()["code"] == "APPLICATION_PENDING"
    assert ServiceRequest.objects.count() == 1


def test_missing_evidence_is_refused_before_anything_is_saved(clerk_api):
    resp = clerk_api.post("/applications", apply_body(evidence={"credential_images": [f.b64_jpeg()]}))
    assert resp.status_code == 422 and resp.json()["code"] == "EVIDENCE_SCENE_MISSING"
    assert Person.objects.count() == 0 and ServiceRequest.objects.count() == 0


def test_outlet_with_failed_issuance_defers_production_for_24_hours(clerk_api, outlet):
    import datetime as dt

    from sscard.core import clock

    clock.freeze(dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC))
    outlet.issuance_status = "network_failed"
    outlet.save()
    req = req_of(clerk_api.post("/applications", apply_body()))
    assert req.status == "in_production" and req.production_mode == "deferred" and req.new_card_id is None
    assert (req.due_at - req.created_at).total_seconds() == 24 * 3600
    # later the printer works again: a clerk of that outlet finishes; the card waits for pick-up
    outlet.issuance_status = "working"
    outlet.save()
    other = f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))
    resp = other.post(f"/requests/{req.request_no}/finish-production", {})
    assert resp.status_code == 403 and snapshot(req)[0] == "in_production"
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/finish-production", {}))
    assert req.status == "ready_for_pickup" and req.new_card.state == "made" and req.new_card.issued_at is None
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)}))
    assert req.status == "completed" and req.new_card.issued_outlet_id == outlet.pk
    assert audit_types(req.request_no)[-2:] == ["REQUEST_PRODUCTION_FINISHED", "REQUEST_HANDED_OVER"]


def test_printer_failure_falls_back_to_deferred_and_finishing_needs_the_printer(clerk_api, outlet):
    fail_printer(outlet)
    req = req_of(clerk_api.post("/applications", apply_body()))
    assert req.production_mode == "deferred" and req.status == "in_production"
    assert Card.objects.count() == 0
    before = snapshot(req)
    resp = clerk_api.post(f"/requests/{req.request_no}/finish-production", {})
    assert resp.status_code == 409 and resp.json()["code"] == "ISSUANCE_UNAVAILABLE"
    assert snapshot(req) == before
    from sscard.hardware.simulated import simulated_faults

    simulated_faults.clear_all()
    body = {"hand_over": True, "originals_checked": originals(req)}
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/finish-production", body))
    assert req.status == "completed" and req.new_card.issued_at is not None


def test_window_without_signature_pad_waits_for_the_signed_paper_form(clerk_api, outlet):
    outlet.has_signature_pad = False
    outlet.has_digital_archive = False
    outlet.save()
    body = apply_body(evidence={"paper_archive_ref": "YZ-2026-0001"})
    req = req_of(clerk_api.post("/applications", body))
    assert req.status == "awaiting_signature" and req.pending_steps == ["signature"] and req.new_card_id is None
    pdf = clerk_api.get(f"/requests/{req.request_no}/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    resp = clerk_api.post(f"/requests/{req.request_no}/signed-form", {"reference": "QZ-2026-0001"})
    req = req_of(resp)
    assert req.status == "completed" and req.new_card_id is not None
    assert audit_types(req.request_no).count("PAPER_ARCHIVE_RECORDED") == 2
    assert "REQUEST_SIGNED_FORM_RECORDED" in audit_types(req.request_no)


def test_kiosk_apply_prints_a_voucher_and_waits_for_a_window(kiosk_api, clerk_api, outlet):
    req = req_of(kiosk_api.post("/applications", apply_body(evidence={})))
    assert req.status == "awaiting_voucher" and req.voucher_no and req.channel == "kiosk"
    pdf = kiosk_api.get(f"/requests/{req.request_no}/voucher.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    resp = clerk_api.post(f"/requests/{req.request_no}/present-voucher", {"voucher_no": "PZ000"})
    assert resp.status_code == 422 and resp.json()["code"] == "VOUCHER_MISMATCH"
    body = {"voucher_no": req.voucher_no, "evidence": f.window_evidence(signature=False)}
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/present-voucher", body))
    assert req.status == "completed" and req.new_card.issued_outlet_id == outlet.pk
    assert audit_types(req.request_no).count("EVIDENCE_ARCHIVED") == 3  # photo at kiosk + credential + scene


def test_kiosk_voucher_lapses(kiosk_api, clerk_api):
    import datetime as dt

    from sscard.core import clock

    req = req_of(kiosk_api.post("/applications", apply_body(evidence={})))
    clock.freeze(req.created_at + dt.timedelta(days=31))
    resp = clerk_api.post(f"/requests/{req.request_no}/present-voucher", {"voucher_no": req.voucher_no})
    assert resp.status_code == 422 and resp.json()["code"] == "VOUCHER_EXPIRED"
    req.refresh_from_db()
    assert req.status == "awaiting_voucher"


def test_kiosk_refuses_a_minor_by_agent(kiosk_api, adult):
    body = apply_body(birth=f.minor_birth(), agent={"doc_type": "id_card", "number": adult.id_number}, evidence={})
    resp = kiosk_api.post("/applications", body)
    assert resp.status_code == 422 and resp.json()["code"] == "ROLE_NOT_ALLOWED"
    assert ServiceRequest.objects.count() == 0
