"""PIN change / reset / verify through the API: the PIN comes from the station's PIN pad, never the body."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedPinPad
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.cards import at_station, card_doc, chip_pin_is, id_doc, snapshot
from sscard.testing.desk import app_body, apply_body, originals, req_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def window(outlet):
    return f"outlet:{outlet.code}"


@pytest.fixture
def kiosk_station(kiosk):
    return f"kiosk:{kiosk.code}"


def _row(card):
    return Card.objects.get(pk=card.pk)


def test_pin_change_at_kiosk(kiosk_api, kiosk_station, adult, card):
    at_station(kiosk_station, card, "135790", "246810", "246810", pin="135790")
    r = kiosk_api.post("/cards/pin/change", {"applicant": card_doc(card)})
    assert r.status_code == 200, r.json()
    assert r.json()["ok"] is True
    assert chip_pin_is(card, "246810")
    req = ServiceRequest.objects.get(request_no=r.json()["request"]["request_no"])
    assert (req.business, req.channel, req.status) == ("pin_change", "kiosk", "completed")
    assert audit_types(subject_id=card.card_no)[-1] == "CARD_PIN_CHANGED"


def test_pin_change_at_window_archives_and_restarts_the_counter(clerk_api, window, adult, card):
    Card.objects.filter(pk=card.pk).update(pin_failures=2)
    at_station(window, card, "135790", "246810", "246810", pin="135790")
    r = clerk_api.post("/cards/pin/change", {"applicant": id_doc(adult), "evidence": f.window_evidence()})
    assert r.status_code == 200, r.json()
    assert _row(card).pin_failures == 0
    assert chip_pin_is(card, "246810")


def test_wrong_old_pin_counts_then_locks_and_persists(kiosk_api, kiosk_station, adult, card):
    at_station(kiosk_station, card, pin="135790")
    for expected_left in (2, 1):
        at_station(kiosk_station, card, "000111", "246810", "246810")
        r = kiosk_api.post("/cards/pin/change", {"applicant": card_doc(card)})
        assert r.status_code == 422
        assert r.json()["code"] == "PIN_WRONG"
        assert r.json()["details"]["remaining_attempts"] == expected_left
    assert _row(card).pin_failures == 2 and _row(card).state == "active"
    at_station(kiosk_station, card, "000111", "246810", "246810")
    r = kiosk_api.post("/cards/pin/change", {"applicant": card_doc(card)})
    assert r.status_code == 422 and r.json()["code"] == "PIN_WRONG_CARD_LOCKED"
    row = _row(card)
    assert (row.state, row.pin_failures) == ("locked", 3)
    assert chip_pin_is(card, "135790")
    assert audit_types(subject_id=card.card_no)[-2:] == ["CARD_WRONG_PIN_COUNTED", "CARD_LOCKED"]
    assert not ServiceRequest.objects.filter(business="pin_change").exists()


def test_wrong_pin_persists_under_an_idempotency_key(kiosk_api, kiosk_station, card):
    at_station(kiosk_station, card, "000111", "246810", "246810", pin="135790")
    r = kiosk_api.post("/cards/pin/change", {"applicant": card_doc(card)}, headers={"Idempotency-Key": "pin-try-0001"})
    assert r.status_code == 422
    assert _row(card).pin_failures == 1


def test_no_pin_operation_on_a_locked_card(kiosk_api, kiosk_station, adult):
    locked = f.make_card(adult, state="locked")
    at_station(kiosk_station, locked, "135790", "246810", "246810", pin="135790")
    before = snapshot(locked)
    r = kiosk_api.post("/cards/pin/change", {"applicant": card_doc(locked)})
    assert r.status_code == 422 and r.json()["code"] == "CARD_STATE_NOT_ALLOWED"
    assert snapshot(locked) == before


@pytest.mark.parametrize("state", ["lost", "lost_temp"])
def test_no_pin_reset_on_a_lost_card(state, clerk_api, window, adult):
    lost = f.make_card(adult, state=state)
    at_station(window, lost, "246810", "246810", pin="135790")
    before = snapshot(lost)
    r = clerk_api.post("/cards/pin/reset", {"applicant": id_doc(adult), "evidence": f.window_evidence()})
    assert r.status_code == 422 and r.json()["code"] == "CARD_STATE_NOT_ALLOWED"
    assert snapshot(lost) == before


def test_pin_change_by_agent_is_refused(clerk_api, window, adult, card):
    agent = f.make_person(name="李四", birth_date=dt.date(1980, 1, 1))
    at_station(window, card, "135790", "246810", "246810", pin="135790")
    before = snapshot(card)
    r = clerk_api.post("/cards/pin/change", {"applicant": card_doc(card), "agent": id_doc(agent),
                                             "evidence": f.window_evidence()})
    assert r.status_code == 422 and r.json()["code"] == "ROLE_NOT_ALLOWED"
    assert r.json()["message"] == "密码修改只允许本人办理"
    assert snapshot(card) == before and chip_pin_is(card, "135790")


def test_pin_reset_by_agent_at_window(clerk_api, window, adult, card):
    agent = f.make_person(name="李四", birth_date=dt.date(1980, 1, 1))
    Card.objects.filter(pk=card.pk).update(pin_failures=1)
    at_station(window, card, "246810", "246810", pin="135790")
    r = clerk_api.post("/cards/pin/reset", {"applicant": card_doc(card), "agent": id_doc(agent),
                                            "evidence": f.window_evidence()})
    assert r.status_code == 200, r.json()
    assert chip_pin_is(card, "246810") and _row(card).pin_failures == 0
    req = ServiceRequest.objects.get(request_no=r.json()["request"]["request_no"])
    assert (req.applicant_role, req.agent_id) == ("proxy_adult", agent.pk)
    assert audit_types(subject_id=card.card_no)[-1] == "CARD_PIN_RESET"


def test_pin_reset_confirmation_mismatch_changes_nothing(kiosk_api, kiosk_station, card):
    at_station(kiosk_station, card, "246810", "246811", pin="135790")
    before = snapshot(card)
    r = kiosk_api.post("/cards/pin/reset", {"applicant": card_doc(card)})
    assert r.status_code == 400 and r.json()["code"] == "PIN_MISMATCH"
    assert snapshot(card) == before and chip_pin_is(card, "135790")


@pytest.mark.parametrize("business", ["change", "reset"])
def test_pin_business_is_not_offered_in_the_app_or_by_phone(business, citizen_api, hotline_api, adult, card):
    before = snapshot(card)
    for api in (citizen_api, hotline_api):
        r = api.post(f"/cards/pin/{business}", {"applicant": id_doc(adult)})
        assert r.status_code == 422 and r.json()["code"] == "BUSINESS_NOT_ON_CHANNEL"
    assert snapshot(card) == before


def test_pin_verify_counts_and_a_right_pin_restarts(kiosk_api, kiosk_station, card):
    at_station(kiosk_station, card, "000111", pin="135790")
    r = kiosk_api.post("/cards/pin/verify", {"applicant": card_doc(card)})
    assert r.status_code == 422 and r.json()["details"]["remaining_attempts"] == 2
    at_station(kiosk_station, card, "135790")
    r = kiosk_api.post("/cards/pin/verify", {"applicant": card_doc(card)})
    assert r.status_code == 200 and r.json()["ok"] is True
    assert _row(card).pin_failures == 0
    assert audit_types(subject_id=card.card_no)[-2:] == ["CARD_WRONG_PIN_COUNTED", "CARD_PIN_VERIFIED"]


def test_pin_verify_locks_at_the_limit_and_unlock_restores(kiosk_api, clerk_api, kiosk_station, adult, card):
    at_station(kiosk_station, card, "000111", "000111", "000111", pin="135790")
    codes = [kiosk_api.post("/cards/pin/verify", {"applicant": card_doc(card)}).json()["code"] for _ in range(3)]
    assert codes == ["PIN_WRONG", "PIN_WRONG", "PIN_WRONG_CARD_LOCKED"]
    assert _row(card).state == "locked"
    r = clerk_api.post("/cards/unlock", {"applicant": id_doc(adult), "evidence": f.window_evidence()})
    assert r.status_code == 200, r.json()
    row = _row(card)
    assert (row.state, row.pin_failures) == ("active", 0)
    assert audit_types(subject_id=card.card_no)[-1] == "CARD_UNLOCKED"


def test_device_failure_is_refused_and_counts_nothing(kiosk_api, kiosk_station, card):
    from sscard.hardware.simulated import simulated_faults

    at_station(kiosk_station, card, "000111", pin="135790")
    simulated_faults.fail("card_terminal", kiosk_station)
    before = snapshot(card)
    r = kiosk_api.post("/cards/pin/verify", {"applicant": card_doc(card)})
    assert r.status_code == 503 and r.json()["code"] == "DEVICE_UNAVAILABLE"
    assert snapshot(card) == before


# ---------------------------------------------------------------- PIN businesses on a centrally made card


def test_a_centrally_made_card_takes_a_pin_reset_at_a_window(citizen_api, adult, reviewer_api, supervisor_api,
                                                              clerk_api, outlet):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "pickup", "pickup_outlet": outlet.code})
    req = req_of(citizen_api.post("/applications", body))
    req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    req = req_of(supervisor_api.post(f"/requests/{req.request_no}/finish-production", {}))
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)}))
    station = f"outlet:{outlet.code}"
    SimulatedCardTerminal.insert(station, req.new_card.card_no)
    SimulatedPinPad.type(station, "246813", "246813")
    resp = clerk_api.post("/cards/pin/reset", {"applicant": {"doc_type": "ss_card", "number": req.new_card.card_no},
                                               "evidence": f.window_evidence()})
    assert resp.status_code == 200, resp.json()
    SimulatedPinPad.type(station, "246813")
    verify = clerk_api.post("/cards/pin/verify", {"applicant": {"doc_type": "ss_card",
                                                                "number": req.new_card.card_no}})
    assert verify.status_code == 200 and verify.json()["ok"] is True


def test_app_made_card_finished_by_the_command_takes_a_pin_reset_then_verifies(
        citizen_api, adult, reviewer_api, clerk_api, outlet):
    req = req_of(citizen_api.post("/applications", app_body(adult, method="pickup", pickup_outlet=outlet.code)))
    req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    call_command("finish_central_production", "--all-due", stdout=io.StringIO())
    req.refresh_from_db()
    assert req.status == "ready_for_pickup"
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)}))
    card_no = req.new_card.card_no
    station = f"outlet:{outlet.code}"
    SimulatedCardTerminal.insert(station, card_no)
    doc = {"doc_type": "ss_card", "number": card_no}
    SimulatedPinPad.type(station, "135792")  # nobody knows the initial PIN
    first = clerk_api.post("/cards/pin/verify", {"applicant": doc})
    assert first.status_code == 422 and first.json()["code"] == "PIN_WRONG"
    SimulatedPinPad.type(station, "135792", "135792")
    reset = clerk_api.post("/cards/pin/reset", {"applicant": doc, "evidence": f.window_evidence()})
    assert reset.status_code == 200, reset.json()
    SimulatedPinPad.type(station, "135792")
    verify = clerk_api.post("/cards/pin/verify", {"applicant": doc})
    assert verify.status_code == 200 and verify.json()["ok"] is True
