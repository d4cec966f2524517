"""Concurrent requests through the API end in one consistent state; a repeated POST has one effect.

Each test fires the same or competing calls from several threads at once (a barrier releases them
together), every thread with its own test client and its own database connection.  Needs real row locks:
marker ``postgres`` (the root conftest deselects these tests on SQLite, with a note).
"""


import pytest

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card, CardStateChange
from sscard.core.crypto import lookup_hash
from sscard.core.models import IdempotencyRecord
from sscard.desk.models import ServiceRequest
from sscard.fees.models import Payment
from sscard.people.models import Person
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified
from sscard.testing.desk import apply_body, reissue_body
from sscard.testing.races import race


def racing(test):
    """Real row locks: PostgreSQL only, committed data visible to every thread.  ``serialized_rollback``
    reloads the rows data migrations seed (the fee schedule) that an earlier transactional test flushed."""
    return pytest.mark.postgres(pytest.mark.django_db(transaction=True, serialized_rollback=True)(test))

ROUNDS = 4


def clerk_token(outlet=None) -> str:
    return f.token_for(staff=f.make_staff("clerk", outlet or f.make_outlet()))


def codes(answers) -> list[tuple[int, str]]:
    return sorted((a.status, a.body.get("code", "")) for a in answers)


def id_doc(person) -> dict:
    return {"doc_type": "id_card", "number": person.id_number}


def chain_ok():
    ok, broken, reason = audit_log_verified()
    assert ok, (broken, reason)


# ------------------------------------------------------------------ 1. same key, four times at once


@racing
def test_same_apply_with_the_same_key_four_times_at_once_has_one_effect():
    """The key's unique index makes the three late copies wait for the first to commit; they then replay
    its stored answer (never a 409 IDEMPOTENCY_IN_PROGRESS: on PostgreSQL the first has committed)."""
    token = clerk_token()
    body = apply_body()
    headers = {"Idempotency-Key": "apply-race-0001"}
    answers = race(*[(token, "/applications", body, headers)] * 4)

    assert [a.status for a in answers] == [201] * 4, [a.body for a in answers]
    assert len({a.content for a in answers}) == 1
    assert sorted(a.replay for a in answers) == [False, True, True, True]
    req = ServiceRequest.objects.get()
    assert answers[0].body["request_no"] == req.request_no and req.status == "completed"
    assert Person.objects.count() == 1 and Card.objects.count() == 1
    assert IdempotencyRecord.objects.get().status_code == 201
    assert AuditEvent.objects.filter(event_type="REQUEST_SUBMITTED").count() == 1
    chain_ok()


# ------------------------------------------------------------------ 2. two windows, one new person


@racing
@pytest.mark.parametrize("issuance", ["working", "down"])
def test_two_windows_apply_for_the_same_new_person_at_once(issuance):
    """Exactly one application and one person; the other window is told why, as if it had come second:
    the card was made on the spot (CARD_ALREADY_HELD) or the first application is still open
    (APPLICATION_PENDING)."""
    expected = "CARD_ALREADY_HELD" if issuance == "working" else "APPLICATION_PENDING"
    for _ in range(ROUNDS):
        number = f.id_number_for(f.adult_birth())
        tokens = [clerk_token(f.make_outlet(issuance_status=issuance)) for _ in range(2)]
        before = (ServiceRequest.objects.count(), AuditEvent.objects.count())
        answers = race(*[(t, "/applications", apply_body(number=number), None) for t in tokens])

        assert codes(answers) == [(201, ""), (422, expected)], [a.body for a in answers]
        person = Person.objects.get(id_hash=lookup_hash(number, purpose="id"))
        assert person.id_number == number
        assert ServiceRequest.objects.filter(applicant=person).count() == 1
        assert Card.objects.filter(person=person).count() == (1 if issuance == "working" else 0)
        assert ServiceRequest.objects.count() == before[0] + 1
        assert AuditEvent.objects.filter(event_type="REQUEST_SUBMITTED").count() == ServiceRequest.objects.count()
    assert Person.objects.count() == ROUNDS
    chain_ok()


@pytest.mark.django_db
def test_the_database_backstop_answers_409_when_the_service_check_is_passed(monkeypatch):
    """Should two submissions ever pass the service check together, the partial unique index
    ``one_open_production_request_per_person`` lets one through and the other gets a clear 409."""
    from sscard.desk import applications as issuance

    outlet = f.make_outlet(issuance_status="down")
    token = clerk_token(outlet)
    first = f.ApiClient(token).post("/applications", apply_body(number=(number := f.id_number_for(f.adult_birth()))))
    assert first.status_code == 201 and first.json()["status"] == "in_production"
    monkeypatch.setattr(issuance, "_refuse_pending", lambda person: None)
    audit = AuditEvent.objects.count()
    second = f.ApiClient(clerk_token(outlet)).post("/applications", apply_body(number=number))
    assert (second.status_code, second.json()["code"]) == (409, "APPLICATION_PENDING")
    assert ServiceRequest.objects.count() == 1 and AuditEvent.objects.count() == audit


# ------------------------------------------------------------------ 3. two windows, one card


@racing
def test_two_windows_replace_the_same_presented_card_at_once():
    """The holder's card is presented at two windows: one new card, the old card ended once; the other
    window is told the presented card is no longer current."""
    for _ in range(ROUNDS):
        person = f.make_person()
        old = f.make_card(person)
        doc = {"doc_type": "ss_card", "number": old.card_no}
        body = reissue_body(doc, reason="quality_defect")
        answers = race(*[(clerk_token(), "/cards/replace", body, None) for _ in range(2)])

        assert codes(answers) == [(201, ""), (422, "CARD_NOT_CURRENT")], [a.body for a in answers]
        old.refresh_from_db()
        new = Card.objects.get(person=person, state="active")
        assert old.state == "replaced" and old.replaced_by_id == new.pk
        assert Card.objects.filter(person=person).count() == 2
        assert CardStateChange.objects.filter(card=old).count() == 1
        assert ServiceRequest.objects.filter(applicant=person).count() == 1
    chain_ok()


def _lost_card_reissue_race(outlet):
    """Two clerks of ``outlet`` reissue one lost card at once; returns (person, old card, request)."""
    person = f.make_person()
    old = f.make_card(person, state="lost")
    answers = race(*[(clerk_token(outlet), "/cards/reissue", reissue_body(person), None) for _ in range(2)])
    assert codes(answers) == [(201, ""), (422, "APPLICATION_PENDING")], [(a.body["status"], a.body.get("fee_amount_fen"), a.body.get("new_card_no")) for a in answers]
    req = ServiceRequest.objects.get(applicant=person)
    assert req.status == "awaiting_fee" and Card.objects.filter(person=person).count() == 1
    return person, old, req


@racing
def test_two_windows_reissue_a_lost_card_at_once_open_one_request():
    outlet = f.make_outlet()
    for _ in range(ROUNDS):
        _lost_card_reissue_race(outlet)
    chain_ok()


# ------------------------------------------------------------------ 6. fee settled twice at once


@racing
def test_fee_settled_twice_at_once_is_paid_once():
    outlet = f.make_outlet()
    for _ in range(ROUNDS):
        person, old, req = _lost_card_reissue_race(outlet)
        path = f"/requests/{req.request_no}/settle-fee"
        answers = race(*[(clerk_token(outlet), path, {"method": "paid"}, None) for _ in range(2)])

        assert codes(answers) == [(200, ""), (409, "REQUEST_STATE_CONFLICT")], [a.body for a in answers]
        req.refresh_from_db()
        payment = Payment.objects.get(subject_id=req.request_no)
        assert req.status == "completed" and req.payment_id == payment.pk and payment.amount_fen == 2000
        old.refresh_from_db()
        assert old.state == "replaced" and old.replaced_by_id == req.new_card_id
        assert CardStateChange.objects.filter(card=old).count() == 1
        assert Card.objects.filter(person=person).count() == 2
        assert AuditEvent.objects.filter(subject_id=req.request_no, event_type="REQUEST_FEE_SETTLED").count() == 1
    chain_ok()


# ------------------------------------------------------------------ 4. cancel and loss report at once


@racing
def test_cancel_and_loss_report_at_once_end_consistently():
    """Loss then cancel: both succeed, the card ends cancelled.  Cancel then loss: the loss report finds
    no card in use.  Either way one state change per success, and the audit order tells which."""
    for _ in range(ROUNDS * 2):
        person = f.make_person()
        card = f.make_card(person)
        body = {"applicant": id_doc(person), "evidence": f.window_evidence()}
        answers = race((clerk_token(), "/cards/cancel", body, None), (clerk_token(), "/cards/loss/report", body, None))
        cancel, loss = answers
        events = list(AuditEvent.objects.filter(subject_id=card.card_no).order_by("seq")
                      .values_list("event_type", flat=True))
        card.refresh_from_db()
        assert cancel.status == 200, cancel.body
        assert card.state == "cancelled"
        if events == ["CARD_LOSS_REPORTED", "CARD_CANCELLED"]:
            assert loss.status == 200
            assert list(CardStateChange.objects.filter(card=card).values_list("event", "from_state", "to_state")) \
                == [("report_loss", "active", "lost"), ("cancel", "lost", "cancelled")]
        else:
            assert events == ["CARD_CANCELLED"]
            assert (loss.status, loss.body["code"]) == (404, "CARD_NOT_FOUND")
            assert list(CardStateChange.objects.filter(card=card).values_list("event", flat=True)) == ["cancel"]
        successes = sum(a.status == 200 for a in answers)
        assert ServiceRequest.objects.filter(applicant=person).count() == successes
    chain_ok()


# ------------------------------------------------------------------ 5. approve and reject at once


@racing
def test_approve_and_reject_at_once_one_wins():
    reviewers = [f.token_for(staff=f.make_staff("reviewer")) for _ in range(2)]
    for _ in range(ROUNDS):
        person = f.make_person()
        citizen = f.ApiClient(f.token_for(citizen=f.make_citizen(person)))
        body = apply_body(number=person.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                          delivery={"method": "post"})
        resp = citizen.post("/applications", body)
        assert resp.status_code == 201 and resp.json()["status"] == "pending_review", resp.json()
        no = resp.json()["request_no"]
        approve, reject = race((reviewers[0], f"/requests/{no}/approve", {"note": "材料齐全"}, None),
                               (reviewers[1], f"/requests/{no}/reject", {"reason": "照片不符合要求"}, None))

        assert sorted([approve.status, reject.status]) == [200, 409], (approve.body, reject.body)
        loser = approve if approve.status == 409 else reject
        assert loser.body["code"] == "REQUEST_STATE_CONFLICT"
        req = ServiceRequest.objects.get(request_no=no)
        events = list(AuditEvent.objects.filter(subject_id=no, event_type__startswith="REQUEST_").order_by("seq")
                      .values_list("event_type", flat=True))
        if approve.status == 200:
            assert req.status == "in_production" and events == ["REQUEST_SUBMITTED", "REQUEST_APPROVED"]
        else:
            assert req.status == "rejected" and events == ["REQUEST_SUBMITTED", "REQUEST_REJECTED"]
    chain_ok()
