"""A slow printer at one outlet holds up nobody else's audited writes (PostgreSQL: real row locks).

Audit writers share no row; a business that prints calls the printer before its audited writes
(``audit_deferred``), so while outlet A's printer takes its 2 seconds, an audited loss report at outlet
B goes straight through.
Each test starts the issuance at A, then the other calls ~0.3 s later, every call in its own thread with
its own connection (``sscard.testing.races.staggered``).
"""

import pytest

from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.hardware.simulated import SimulatedIssuancePrinter
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified
from sscard.testing.desk import apply_body, reissue_body
from sscard.testing.races import staggered

PRINT_SECONDS = 2.0
LATER = 0.3
QUICK = 1.0  # an audited write elsewhere must answer well within the print


def racing(test):
    """Real row locks and committed data (see ``test_races``); the fee schedule rows reloaded."""
    return pytest.mark.postgres(pytest.mark.django_db(transaction=True, serialized_rollback=True)(test))


def clerk_token(outlet) -> str:
    return f.token_for(staff=f.make_staff("clerk", outlet))


def slow_outlet():
    outlet = f.make_outlet()
    SimulatedIssuancePrinter.slow_down(PRINT_SECONDS, f"outlet:{outlet.code}")
    return outlet


def loss_report_elsewhere():
    """A card holder, and the call that reports the card lost at another outlet (``CARD_LOSS_REPORTED``)."""
    holder = f.make_person(name="王五")
    card = f.make_card(holder)
    body = {"applicant": {"doc_type": "id_card", "number": holder.id_number}, "evidence": f.window_evidence()}
    return card, (LATER, clerk_token(f.make_outlet()), "/cards/loss/report", body, None)


def assert_quick_and_done(report, issuance, card):
    assert report.status == 200, report.body
    assert report.seconds < QUICK, f"the loss report waited {report.seconds:.2f}s behind the printer"
    assert LATER + report.seconds < issuance.seconds  # it ran while the printer was printing
    card.refresh_from_db()
    assert card.state == "lost"


def chain_ok():
    ok, broken, reason = audit_log_verified()
    assert ok, (broken, reason)


@racing
@pytest.mark.parametrize("key", [None, "slow-print-apply-01"], ids=["plain", "idempotency_key"])
def test_a_loss_report_elsewhere_does_not_wait_for_a_slow_instant_issuance(key):
    """With an Idempotency-Key the whole POST is one transaction (the key's): the print still comes
    before the first audit write in it."""
    outlet = slow_outlet()
    card, report_call = loss_report_elsewhere()
    headers = {"Idempotency-Key": key} if key else None
    issuance, report = staggered((0.0, clerk_token(outlet), "/applications", apply_body(), headers),
                                 report_call)

    assert issuance.status == 201, issuance.body
    assert issuance.body["status"] == "completed" and issuance.body["production_mode"] == "instant"
    assert issuance.seconds >= PRINT_SECONDS
    assert_quick_and_done(report, issuance, card)
    made = Card.objects.get(card_no=issuance.body["new_card_no"])
    assert made.issued_outlet_id == outlet.pk and made.state == "made"
    assert [j.card_no for j in SimulatedIssuancePrinter.jobs(f"outlet:{outlet.code}")] == [made.card_no]
    chain_ok()


@racing
def test_the_same_key_sent_again_during_the_print_waits_and_replays_without_printing():
    outlet = slow_outlet()
    token, body, headers = clerk_token(outlet), apply_body(), {"Idempotency-Key": "slow-print-apply-02"}
    card, report_call = loss_report_elsewhere()
    first, again, report = staggered((0.0, token, "/applications", body, headers),
                                     (LATER, token, "/applications", body, headers), report_call)

    assert (first.status, again.status) == (201, 201) and first.content == again.content
    assert sorted([first.replay, again.replay]) == [False, True]
    assert first.body["status"] == "completed"
    assert_quick_and_done(report, first, card)
    assert len(SimulatedIssuancePrinter.jobs(f"outlet:{outlet.code}")) == 1
    assert ServiceRequest.objects.filter(request_no=first.body["request_no"]).count() == 1
    chain_ok()


@racing
def test_a_void_during_the_print_at_the_fee_waits_for_it_and_is_refused():
    """Settling the fee makes the card on the spot: the request stays locked through the print, so a void
    sent meanwhile waits and then finds it completed; a loss report elsewhere does not wait at all."""
    outlet = f.make_outlet()
    person = f.make_person()
    old = f.make_card(person, state="lost")
    resp = f.ApiClient(clerk_token(outlet)).post("/cards/reissue", reissue_body(person))
    assert resp.status_code == 201 and resp.json()["status"] == "awaiting_fee", resp.json()
    no = resp.json()["request_no"]
    SimulatedIssuancePrinter.slow_down(PRINT_SECONDS, f"outlet:{outlet.code}")
    card, report_call = loss_report_elsewhere()
    settle, void, report = staggered(
        (0.0, clerk_token(outlet), f"/requests/{no}/settle-fee", {"method": "paid"}, None),
        (LATER, clerk_token(outlet), f"/requests/{no}/void", {"reason": "申请人要求作废"}, None), report_call)

    assert settle.status == 200 and settle.body["status"] == "completed", settle.body
    assert (void.status, void.body["code"]) == (409, "REQUEST_STATE_CONFLICT")
    assert LATER + void.seconds >= settle.seconds - 0.1  # it waited for the issuance to commit
    assert_quick_and_done(report, settle, card)
    req = ServiceRequest.objects.get(request_no=no)
    old.refresh_from_db()
    assert req.status == "completed" and old.state == "replaced" and old.replaced_by_id == req.new_card_id
    assert len(SimulatedIssuancePrinter.jobs(f"outlet:{outlet.code}")) == 1
    chain_ok()


@racing
def test_a_loss_report_elsewhere_does_not_wait_for_a_slow_batch_to_individual():
    from sscard.testing.batch_flow import adults, paper_batch_body

    outlet = slow_outlet()
    token = clerk_token(outlet)
    body = paper_batch_body(f.make_employer(), adults(2), letter="JS-SLOW")
    resp = f.ApiClient(token).post("/batches/paper", body)
    assert resp.status_code == 202, resp.content
    person = ServiceRequest.objects.get(request_no=f"{resp.json()['batch_no']}000002").applicant
    convert = {"applicant": {"doc_type": "id_card", "number": person.id_number},
               "evidence": f.window_evidence()}
    card, report_call = loss_report_elsewhere()
    converted, report = staggered((0.0, token, "/production/to-individual", convert, None), report_call)

    assert converted.status == 200, converted.body
    assert converted.body["status"] == "completed" and converted.body["production_mode"] == "instant"
    assert_quick_and_done(report, converted, card)
    assert Card.objects.get(person=person).state == "active"
    chain_ok()
