"""Loss report (挂失) and withdrawal (解挂) through the API, on every channel that offers them."""

import datetime as dt

import pytest
from django.utils import timezone

from sscard.archive.models import ArchiveItem
from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.cards import card_doc, id_doc, snapshot
from sscard.testing.desk import fail_printer, originals, reissue_body, req_of

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def _state(card):
    return Card.objects.get(pk=card.pk).state


def test_phone_loss_is_temporary_and_lapses_after_the_catalogue_days(hotline_api, adult, card):
    clock.freeze(T0)
    r = hotline_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    assert r.status_code == 200, r.json()
    body = r.json()
    assert body["card"]["state"] == "lost_temp" and body["card"]["aaz502"] == "4"
    row = Card.objects.get(pk=card.pk)
    assert row.temp_loss_expires_at == T0 + dt.timedelta(days=15)
    req = ServiceRequest.objects.get(request_no=body["request"]["request_no"])
    assert (req.channel, req.status, req.business, req.card_id) == ("phone", "completed", "loss_report", card.pk)
    assert "CARD_LOSS_REPORTED_TEMPORARY" in audit_types(subject_id=card.card_no)


def test_phone_loss_again_is_refused_and_changes_nothing(hotline_api, adult, card):
    assert hotline_api.post("/cards/loss/report", {"applicant": id_doc(adult)}).status_code == 200
    before = snapshot(card)
    r = hotline_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    assert r.status_code == 409 and r.json()["code"] == "LOSS_ALREADY_REPORTED"
    assert snapshot(card) == before


def test_window_formal_loss_archives_evidence(clerk_api, adult, card):
    r = clerk_api.post("/cards/loss/report", {"applicant": id_doc(adult), "evidence": f.window_evidence()})
    assert r.status_code == 200, r.json()
    assert _state(card) == "lost"
    req_no = r.json()["request"]["request_no"]
    assert ArchiveItem.objects.filter(subject_id=req_no, kind="credential").exists()
    assert ArchiveItem.objects.filter(subject_id=req_no, kind="scene").exists()
    assert audit_types(subject_id=card.card_no)[-1] == "CARD_LOSS_REPORTED"


def test_window_loss_without_evidence_is_refused_and_changes_nothing(clerk_api, adult, card):
    before = snapshot(card)
    r = clerk_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    assert r.status_code == 422 and r.json()["code"] == "EVIDENCE_CREDENTIAL_MISSING"
    assert snapshot(card) == before


def test_window_self_loss_needs_the_id_card_not_the_card(clerk_api, card):
    before = snapshot(card)
    r = clerk_api.post("/cards/loss/report", {"applicant": card_doc(card), "evidence": f.window_evidence()})
    assert r.status_code == 422 and r.json()["code"] == "MATERIAL_APPLICANT_DOC_NOT_ACCEPTED"
    assert snapshot(card) == before


def test_window_loss_by_agent(clerk_api, adult, card):
    agent = f.make_person(name="李四", birth_date=dt.date(1980, 1, 1))
    r = clerk_api.post("/cards/loss/report", {"applicant": card_doc(card), "agent": id_doc(agent),
                                              "evidence": f.window_evidence()})
    assert r.status_code == 200, r.json()
    req = ServiceRequest.objects.get(request_no=r.json()["request"]["request_no"])
    assert (req.applicant_role, req.agent_id, req.applicant_id) == ("proxy_adult", agent.pk, adult.pk)
    assert _state(card) == "lost"


def test_temporary_loss_reported_at_kiosk_is_made_formal(hotline_api, kiosk_api, adult, card):
    hotline_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    r = kiosk_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    assert r.status_code == 200, r.json()
    row = Card.objects.get(pk=card.pk)
    assert (row.state, row.temp_loss_expires_at) == ("lost", None)
    assert audit_types(subject_id=card.card_no)[-1] == "CARD_LOSS_CONFIRMED"


def test_app_loss_is_formal_for_the_account_holder(citizen_api, card):
    r = citizen_api.post("/cards/loss/report", {})
    assert r.status_code == 200, r.json()
    assert r.json()["request"]["channel"] == "app"
    assert _state(card) == "lost"
    assert audit_types(subject_id=card.card_no)[-1] == "CARD_LOSS_REPORTED"


def test_app_cannot_act_for_another_person(citizen_api, card):
    other = f.make_person(name="王五", birth_date=dt.date(1990, 2, 2))
    other_card = f.make_card(other)
    before = snapshot(other_card)
    r = citizen_api.post("/cards/loss/report", {"applicant": id_doc(other)})
    assert r.status_code == 403 and r.json()["code"] == "APPLICANT_NOT_ACCOUNT_HOLDER"
    assert snapshot(other_card) == before


def test_loss_on_a_formally_lost_card_is_refused(clerk_api, adult):
    lost = f.make_card(adult, state="lost")
    before = snapshot(lost)
    r = clerk_api.post("/cards/loss/report", {"applicant": id_doc(adult), "evidence": f.window_evidence()})
    assert r.status_code == 422 and r.json()["code"] == "CARD_STATE_NOT_ALLOWED"
    assert snapshot(lost) == before


@pytest.mark.parametrize("channel", ["window", "kiosk", "app"])
def test_withdraw_restores_the_state_before_the_loss(channel, clerk_api, kiosk_api, citizen_api, adult, card):
    clerk_api.post("/cards/loss/report", {"applicant": id_doc(adult), "evidence": f.window_evidence()})
    assert _state(card) == "lost"
    api, body = {"window": (clerk_api, {"applicant": card_doc(card), "evidence": f.window_evidence()}),
                 "kiosk": (kiosk_api, {"applicant": card_doc(card)}),
                 "app": (citizen_api, {})}[channel]
    r = api.post("/cards/loss/withdraw", body)
    assert r.status_code == 200, r.json()
    assert r.json()["card"]["state"] == "active"
    assert audit_types(subject_id=card.card_no)[-1] == "CARD_LOSS_WITHDRAWN"


def test_withdraw_by_phone_is_refused(hotline_api, adult, card):
    hotline_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    before = snapshot(card)
    r = hotline_api.post("/cards/loss/withdraw", {"applicant": id_doc(adult)})
    assert r.status_code == 422 and r.json()["code"] == "ROLE_NOT_ALLOWED"
    assert "12333" in r.json()["message"]
    assert snapshot(card) == before


def test_withdraw_of_a_confirmed_temporary_loss_restores_the_state_before_it(hotline_api, kiosk_api, adult):
    made = f.make_card(adult, state="made")
    hotline_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    kiosk_api.post("/cards/loss/report", {"applicant": id_doc(adult)})
    assert _state(made) == "lost"
    r = kiosk_api.post("/cards/loss/withdraw", {"applicant": id_doc(adult)})
    assert r.status_code == 200, r.json()
    row = Card.objects.get(pk=made.pk)
    assert (row.state, row.temp_loss_expires_at) == ("made", None)
    assert audit_types(subject_id=made.card_no)[-2:] == ["CARD_LOSS_CONFIRMED", "CARD_LOSS_WITHDRAWN"]


def test_withdraw_on_a_card_not_lost_is_refused(kiosk_api, adult, card):
    before = snapshot(card)
    r = kiosk_api.post("/cards/loss/withdraw", {"applicant": id_doc(adult)})
    assert r.status_code == 422 and r.json()["code"] == "CARD_STATE_NOT_ALLOWED"
    assert snapshot(card) == before


# ---------------------------------------------------------------- loss report during a replacement


def test_loss_report_on_the_old_card_during_deferred_replacement_does_not_strand_it(clerk_api, outlet, adult):
    old = f.make_card(adult, state="active")
    fail_printer(outlet)
    req = req_of(clerk_api.post("/cards/replace", reissue_body(adult, reason="damaged")))
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"}))
    assert req.status == "in_production" and req.production_mode == "deferred"
    loss = clerk_api.post("/cards/loss/report", {"applicant": {"doc_type": "id_card", "number": adult.id_number},
                                                 "evidence": f.window_evidence()})
    assert loss.status_code == 200, loss.json()
    from sscard.hardware.simulated import simulated_faults

    simulated_faults.clear_all()
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/finish-production", {"hand_over": True, "originals_checked": originals(req)}))
    assert req.status == "completed"
    assert Card.objects.get(pk=old.pk).state == "replaced" and req.new_card.state == "active"
