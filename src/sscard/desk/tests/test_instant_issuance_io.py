"""Instant issuance talks to the outlet's printer before its business writes its audit events.

A business's audit events are the last writes of its transaction, when it holds its change's row locks,
so a printer called after them would keep those rows locked while it prints.  Every business that can
print holds its audit events back (``audit.services.audit_deferred``) and writes them after the printer
is done, in the same transaction: the same events, in the same order, as before.  The simulated devices
refuse to run after an audit write, so a regression fails here (and in every other test).
"""

import datetime as dt

import pytest

from sscard.audit.models import AuditEvent
from sscard.audit.services import audit_written
from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.fees.models import Payment
from sscard.hardware.models import SimulatedChip
from sscard.hardware.simulated import SimulatedIssuancePrinter
from sscard.people.models import Person
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified
from sscard.testing.desk import apply_body, fail_printer, reissue_body, req_of

pytestmark = pytest.mark.django_db

# The audit event types of each instant issuance, in chain order, as they were before the events were
# held back (recorded from the code of the previous commit).
APPLY = ["PERSON_CREATED", *["EVIDENCE_ARCHIVED"] * 4, "CARD_MADE", "CARD_HANDED_OVER", "REQUEST_SUBMITTED"]
APPLY_DEFERRED = ["PERSON_CREATED", *["EVIDENCE_ARCHIVED"] * 4, "REQUEST_SUBMITTED"]
REPLACE = [*["EVIDENCE_ARCHIVED"] * 3, "CARD_REPLACED", "CARD_MADE", "CARD_HANDED_OVER", "REQUEST_SUBMITTED"]
SETTLE_FEE = ["FEE_SETTLED", "CARD_REPLACED", "CARD_MADE", "CARD_HANDED_OVER", "REQUEST_FEE_SETTLED"]
VOUCHER = [*["EVIDENCE_ARCHIVED"] * 2, "CARD_MADE", "CARD_HANDED_OVER", "REQUEST_VOUCHER_PRESENTED"]
SIGNED_FORM = ["PAPER_ARCHIVE_RECORDED", "CARD_MADE", "CARD_HANDED_OVER", "REQUEST_SIGNED_FORM_RECORDED"]


@pytest.fixture
def at_print(monkeypatch):
    """What the printer saw when it was called: (audit written yet?, audit events in the table)."""
    seen = []
    real = SimulatedIssuancePrinter.print_card

    def spy(self, station, **kw):
        seen.append((audit_written(), AuditEvent.objects.count()))
        return real(self, station, **kw)

    monkeypatch.setattr(SimulatedIssuancePrinter, "print_card", spy)
    return seen


def _last_seq() -> int:
    return AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0


def _types_since(seq: int) -> list[str]:
    return list(AuditEvent.objects.filter(seq__gt=seq).order_by("seq").values_list("event_type", flat=True))


def _lost_card_reissue(clerk_api):
    person = f.make_person()
    f.make_card(person, state="lost")
    req = req_of(clerk_api.post("/cards/reissue", reissue_body(person)))
    assert req.status == "awaiting_fee"
    return req


def _apply(clerk_api, kiosk_api, outlet):
    return lambda: clerk_api.post("/applications", apply_body()), APPLY


def _replace(clerk_api, kiosk_api, outlet):
    person = f.make_person()
    f.make_card(person)
    return lambda: clerk_api.post("/cards/replace", reissue_body(person, reason="quality_defect")), REPLACE


def _settle_fee(clerk_api, kiosk_api, outlet):
    req = _lost_card_reissue(clerk_api)
    return lambda: clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"}), SETTLE_FEE


def _voucher(clerk_api, kiosk_api, outlet):
    req = req_of(kiosk_api.post("/applications", apply_body(evidence={})))
    body = {"voucher_no": req.voucher_no, "evidence": f.window_evidence(signature=False)}
    return lambda: clerk_api.post(f"/requests/{req.request_no}/present-voucher", body), VOUCHER


def _signed_form(clerk_api, kiosk_api, outlet):
    outlet.has_signature_pad = outlet.has_digital_archive = False
    outlet.save()
    req = req_of(clerk_api.post("/applications", apply_body(evidence={"paper_archive_ref": "YZ-2026-0001"})))
    path = f"/requests/{req.request_no}/signed-form"
    return lambda: clerk_api.post(path, {"reference": "QZ-1"}), SIGNED_FORM


@pytest.mark.parametrize("scenario", [_apply, _replace, _settle_fee, _voucher, _signed_form],
                         ids=["apply", "replace", "settle_fee", "voucher", "signed_form"])
def test_instant_issuance_prints_before_its_audit_events_and_keeps_them(
        scenario, clerk_api, kiosk_api, outlet, at_print):
    call, expected = scenario(clerk_api, kiosk_api, outlet)
    before, events_before = _last_seq(), AuditEvent.objects.count()
    resp = call()
    assert resp.status_code in (200, 201), resp.content
    body = resp.json()
    assert body["status"] == "completed" and body["production_mode"] == "instant" and body["new_card_no"]
    assert at_print == [(False, events_before)]  # head free, nothing of this business appended yet
    assert _types_since(before) == expected
    card = Card.objects.get(card_no=body["new_card_no"])
    assert card.issued_outlet_id == outlet.pk
    assert SimulatedIssuancePrinter.last_job(f"outlet:{outlet.code}").card_no == card.card_no
    assert audit_log_verified()[0]


def test_printer_failing_leaves_a_deferred_request_and_nothing_made(clerk_api, outlet):
    fail_printer(outlet)
    now = clock.now()
    clock.freeze(now)
    chips, before = SimulatedChip.objects.count(), _last_seq()
    resp = clerk_api.post("/applications", apply_body())
    assert resp.status_code == 201, resp.content
    body = resp.json()
    assert (body["status"], body["production_mode"]) == ("in_production", "deferred")
    assert body["new_card_no"] is None
    req = ServiceRequest.objects.get(request_no=body["request_no"])
    assert req.due_at == now + dt.timedelta(hours=24) and req.new_card_id is None
    assert not Card.objects.filter(person=req.applicant).exists()
    assert SimulatedChip.objects.count() == chips
    assert SimulatedIssuancePrinter.jobs(f"outlet:{outlet.code}") == []
    assert _types_since(before) == APPLY_DEFERRED
    assert audit_log_verified()[0]


def test_printer_failing_at_the_fee_keeps_the_fee_and_defers_the_card(clerk_api, outlet):
    req = _lost_card_reissue(clerk_api)
    fail_printer(outlet)
    before = _last_seq()
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"}))
    assert (req.status, req.production_mode, req.new_card_id) == ("in_production", "deferred", None)
    assert req.payment_id is not None
    assert Card.objects.filter(person=req.applicant).count() == 1  # the lost card only
    assert _types_since(before) == ["FEE_SETTLED", "REQUEST_FEE_SETTLED"]


def test_voided_before_the_fee_is_settled_nothing_is_printed(clerk_api, outlet):
    req = _lost_card_reissue(clerk_api)
    assert clerk_api.post(f"/requests/{req.request_no}/void", {"reason": "申请人不再办理"}).status_code == 200
    resp = clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"})
    assert (resp.status_code, resp.json()["code"]) == (409, "REQUEST_STATE_CONFLICT")
    req.refresh_from_db()
    assert req.status == "voided" and req.new_card_id is None and req.payment_id is None
    assert SimulatedIssuancePrinter.jobs(f"outlet:{outlet.code}") == []
    assert Card.objects.filter(person=req.applicant).count() == 1 and not Payment.objects.exists()


def test_a_refusal_after_the_print_leaves_nothing_recorded(clerk_api, outlet, monkeypatch):
    """The print and the business are one transaction: a refusal after the print rolls it all back (the
    printed card is spoiled and its number never used), and no audit event of it reaches the chain."""
    from sscard.core.errors import Conflict
    from sscard.desk import production

    def refuse(**kw):
        raise Conflict("CARD_ALREADY_HELD", "该人员已持有社保卡，不能重复制卡")

    monkeypatch.setattr(production, "request_card_make", refuse)
    people, events = Person.objects.count(), AuditEvent.objects.count()
    resp = clerk_api.post("/applications", apply_body())
    assert (resp.status_code, resp.json()["code"]) == (409, "CARD_ALREADY_HELD")
    assert len(SimulatedIssuancePrinter.jobs(f"outlet:{outlet.code}")) == 1
    assert not ServiceRequest.objects.exists() and Person.objects.count() == people
    assert AuditEvent.objects.count() == events and audit_log_verified()[0]


def test_a_replayed_request_does_not_print_again(clerk_api, outlet):
    body, headers = apply_body(), {"Idempotency-Key": "instant-apply-0001"}
    first = clerk_api.post("/applications", body, headers=headers)
    again = clerk_api.post("/applications", body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201) and first.content == again.content
    assert again.get("Idempotent-Replay") == "true" and first.json()["status"] == "completed"
    assert len(SimulatedIssuancePrinter.jobs(f"outlet:{outlet.code}")) == 1
    assert ServiceRequest.objects.count() == 1 and Card.objects.count() == 1
