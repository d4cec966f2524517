"""补领 / 换领 / 换发 through the API: fee step before production, old card ended, new card active."""

import pytest

from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.fees.models import Payment
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import reissue_body, req_of, snapshot

pytestmark = pytest.mark.django_db


def test_reissue_after_loss_needs_the_fee_before_the_new_active_card(clerk_api, adult):
    old = f.make_card(adult, state="lost")
    req = req_of(clerk_api.post("/cards/reissue", reissue_body(adult)))
    assert req.status == "awaiting_fee" and req.fee_amount_fen == 2000 and req.pending_steps == ["fee"]
    assert Card.objects.count() == 1
    resp = clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "offset"})
    assert resp.status_code == 400 and resp.json()["code"] == "FEE_OFFSET_REFERENCE_REQUIRED"
    resp = clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"})
    req = req_of(resp)
    assert req.status == "completed" and req.payment.amount_fen == 2000
    assert resp.json()["receipt_no"] == req.payment.receipt_no and resp.json()["new_card_no"] == req.new_card.card_no
    old.refresh_from_db()
    new = req.new_card
    assert old.state == "replaced" and old.replaced_by_id == new.pk
    assert new.state == "active" and new.activated_at is not None and new.issued_at is not None
    assert audit_types(old.card_no) == ["CARD_REPLACED"]
    assert audit_types(new.card_no) == ["CARD_MADE", "CARD_HANDED_OVER"]
    assert "REQUEST_FEE_SETTLED" in audit_types(req.request_no) and "FEE_SETTLED" in audit_types(req.request_no)


def test_free_replacement_has_no_fee_step(clerk_api, adult):
    old = f.make_card(adult)
    req = req_of(clerk_api.post("/cards/replace", reissue_body(adult, reason="quality_defect")))
    assert req.fee_amount_fen == 0 and req.status == "completed" and Payment.objects.count() == 0
    old.refresh_from_db()
    assert old.state == "replaced" and req.new_card.state == "active"


def test_renew_by_card_number_and_reason_checked(clerk_api, adult):
    old = f.make_card(adult)
    doc = {"doc_type": "ss_card", "number": old.card_no}
    resp = clerk_api.post("/cards/renew", reissue_body(doc, reason="lost"))
    assert resp.status_code == 422 and resp.json()["code"] == "REASON_NOT_ALLOWED"
    req = req_of(clerk_api.post("/cards/renew", reissue_body(doc, reason="expired")))
    assert req.business == "renew" and req.status == "completed"


def test_reissue_after_a_phone_temporary_loss(clerk_api, adult):
    old = f.make_card(adult, state="lost_temp")
    req = req_of(clerk_api.post("/cards/reissue", reissue_body(adult)))
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "offset",
                                                                          "offset_reference": "DK-1"}))
    old.refresh_from_db()
    assert old.state == "replaced" and req.payment.method == "offset"


def test_replace_of_a_lost_card_and_cards_of_others_are_refused(clerk_api, adult):
    f.make_card(adult, state="lost")
    resp = clerk_api.post("/cards/replace", reissue_body(adult, reason="damaged"))
    assert resp.status_code == 422 and resp.json()["code"] == "CARD_STATE_NOT_ALLOWED"
    nobody = f.make_person(name="王五")
    resp = clerk_api.post("/cards/reissue", reissue_body(nobody))
    assert resp.status_code == 422 and resp.json()["code"] == "NO_LIVE_CARD"
    assert ServiceRequest.objects.count() == 0


def test_photo_changed_needs_a_photo(clerk_api, adult):
    f.make_card(adult)
    resp = clerk_api.post("/cards/replace", reissue_body(adult, reason="info_change", photo_changed=True))
    assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_PHOTO_MISSING"
    req = req_of(clerk_api.post("/cards/replace", reissue_body(adult, reason="info_change", photo_changed=True,
                                                                photo=True)))
    from sscard.archive.models import ArchiveItem

    assert req.photo_changed and req.status == "completed"
    assert ArchiveItem.objects.filter(subject_id=req.request_no, kind="photo").count() == 1


def test_kiosk_reissue_goes_voucher_then_fee_then_card(kiosk_api, clerk_api, adult, minor):
    old = f.make_card(minor)
    body = reissue_body({"doc_type": "hukou", "number": minor.id_number}, evidence={},
                        agent={"doc_type": "id_card", "number": adult.id_number})
    req = req_of(kiosk_api.post("/cards/reissue", body))
    assert req.applicant_role == "proxy_minor" and req.pending_steps == ["voucher", "fee"]
    before = snapshot(req)
    resp = clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"})
    assert resp.status_code == 409 and snapshot(req) == before
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/present-voucher", {"voucher_no": req.voucher_no}))
    assert req.status == "awaiting_fee"
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"}))
    old.refresh_from_db()
    assert req.status == "completed" and old.state == "replaced" and req.new_card.person_id == minor.pk


def test_second_reissue_while_one_is_open_is_refused(clerk_api, adult):
    f.make_card(adult, state="lost")
    req_of(clerk_api.post("/cards/reissue", reissue_body(adult)))
    resp = clerk_api.post("/cards/reissue", reissue_body(adult))
    assert resp.status_code == 422 and resp.json()["code"] == "APPLICATION_PENDING"


def test_no_production_of_a_card_cancelled_meanwhile(clerk_api, adult):
    old = f.make_card(adult, state="lost")
    req = req_of(clerk_api.post("/cards/reissue", reissue_body(adult)))
    Card.objects.filter(pk=old.pk).update(state="cancelled")
    before = snapshot(req)
    resp = clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"})
    assert resp.status_code == 409 and resp.json()["code"] == "OLD_CARD_ENDED"
    assert snapshot(req) == before and Payment.objects.count() == 0
