"""Production's device calls run before any audit write: 批量转零星 prints at the window before
the business writes its audit events (events held back with ``audit.services.audit_deferred``), with the
same audit events as before, and a failing printer defers; the vendor results' chip personalisation
comes before the import's first audit write, also when the API runs a whole exchange cycle in one
transaction (Idempotency-Key)."""

import pytest

from sscard.audit.models import AuditEvent
from sscard.audit.services import audit_written
from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedIssuancePrinter
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified
from sscard.testing.batch_flow import adults, paper_batch
from sscard.testing.desk import fail_printer

pytestmark = pytest.mark.django_db

CONVERT = [*["EVIDENCE_ARCHIVED"] * 3, "CARD_MADE", "CARD_HANDED_OVER", "CARD_ACTIVATED",
           "BATCH_ROW_CONVERTED"]


def _convert(clerk_api, employer, capture):
    batch_no = paper_batch(clerk_api, employer, adults(2), capture=capture)
    person = ServiceRequest.objects.get(request_no=f"{batch_no}000002").applicant
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    count = AuditEvent.objects.count()
    body = {"applicant": {"doc_type": "id_card", "number": person.id_number}, "evidence": f.window_evidence()}
    with capture(execute=True):
        resp = clerk_api.post("/production/to-individual", body)
    assert resp.status_code == 200, resp.content
    types = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq")
                 .values_list("event_type", flat=True))
    return person, resp.json(), types, count


def test_batch_to_individual_prints_before_its_audit_events(clerk_api, employer, outlet, monkeypatch,
                                                            django_capture_on_commit_callbacks):
    seen, real = [], SimulatedIssuancePrinter.print_card

    def spy(self, station, **kw):
        seen.append((audit_written(), AuditEvent.objects.count()))
        return real(self, station, **kw)

    monkeypatch.setattr(SimulatedIssuancePrinter, "print_card", spy)
    person, body, types, count = _convert(clerk_api, employer, django_capture_on_commit_callbacks)
    assert (body["status"], body["production_mode"]) == ("completed", "instant")
    assert seen == [(False, count)]  # head free, nothing of this business appended yet
    assert types == CONVERT
    assert Card.objects.get(person=person).state == "active"
    assert audit_log_verified()[0]


def test_batch_to_individual_with_the_printer_failing_is_deferred(clerk_api, employer, outlet,
                                                                  django_capture_on_commit_callbacks):
    fail_printer(outlet)
    person, body, types, _ = _convert(clerk_api, employer, django_capture_on_commit_callbacks)
    assert (body["status"], body["production_mode"]) == ("in_production", "deferred")
    assert body["new_card_no"] is None
    assert not Card.objects.filter(person=person).exists()
    assert types == [*["EVIDENCE_ARCHIVED"] * 3, "BATCH_ROW_CONVERTED"]


@pytest.mark.parametrize("key", [None, "exchange-run-0001"], ids=["plain", "idempotency_key"])
def test_central_personalisation_runs_before_any_audit_write(key, clerk_api, admin_api, employer, monkeypatch,
                                                               django_capture_on_commit_callbacks):
    seen, real = [], SimulatedCardTerminal.personalise

    def spy(self, card_no):
        seen.append(audit_written())
        return real(self, card_no)

    monkeypatch.setattr(SimulatedCardTerminal, "personalise", spy)
    batch_no = paper_batch(clerk_api, employer, adults(2), capture=django_capture_on_commit_callbacks)
    headers = {"Idempotency-Key": key} if key else None
    resp = admin_api.post("/production/exchange/run?simulate=true", headers=headers)
    assert resp.status_code == 200, resp.content
    assert resp.json()["orders_shipped"] == 1
    assert seen == [False, False]  # one chip per card, none while the head is held
    made = Card.objects.filter(origin_request__request_no__startswith=batch_no)
    assert made.count() == 2 and {c.state for c in made} == {"made"}
    assert audit_log_verified()[0]
