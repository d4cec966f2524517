"""A property-based test of the card and business state machines (Hypothesis ``RuleBasedStateMachine``).

Each example is one person with one card (made and handed over, or active), driven through the API as the
window, the kiosk and the 12333 hotline call it: activation, loss report (temporary by phone, formal at
the window or kiosk), withdrawal, PIN checks at the kiosk's pad (wrong ones counted up to the lock), unlock,
cancel, a new application (refused while a usable card exists), reissue and replacement requests (one
business open at a time), status queries.  The model: the card's
state, the state a loss or a lock began from, the wrong-PIN count.
The rules are read from the procedure's own tables, never copied: the catalogue's ``card_states`` of each
business and ``cards.rules.next_state``.

Invariants after every step: no person has two usable cards; a business accepted only where the
catalogue allows it on the card's state; each accepted change is exactly one audit event on the card;
a refusal changes nothing (card, requests, audit log).

Bounded (``max_examples`` x ``stateful_step_count``) to run in well under a minute on SQLite; a fresh
person and card per example (the database is the test's, rolled back at its end), so no example depends
on another's data or on the seed.
"""

import pytest
from django.db import connection
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from sscard.audit.models import AuditEvent
from sscard.cards.choices import LIVE_STATES, CardEvent, CardState
from sscard.cards.models import Card
from sscard.cards.rules import next_state
from sscard.desk.models import ServiceRequest
from sscard.hardware.simulated import SimulatedPinPad
from sscard.policy.catalogue import get_catalogue, policy_setting
from sscard.policy.choices import Business
from sscard.testing import factories as f
from sscard.testing.cards import at_station
from sscard.testing.desk import apply_body

pytestmark = pytest.mark.django_db


def allowed(business: str, state: str) -> bool:
    """The catalogue's rule: the business is done on a card in one of its ``card_states`` (none: any)."""
    states = get_catalogue().business(business).card_states
    return not states or state in states


PIN = "135790"


class CardMachine(RuleBasedStateMachine):
    clerk_api = hotline_api = kiosk_api = kiosk_station = None  # set by the test

    @initialize(state=st.sampled_from([CardState.MADE, CardState.ACTIVE]))
    def a_person_with_a_card(self, state):
        self.person = f.make_person(birth_date=f.adult_birth())
        self.card = f.make_card(self.person, state=state)
        at_station(self.kiosk_station, self.card, pin=PIN)  # the chip written, the card in the kiosk
        self.state = state
        self.before_loss = self.before_lock = None
        self.failures = 0
        self.open_request = False
        self.doc = {"doc_type": "id_card", "number": self.person.id_number}

    # ------------------------------------------------------------------ helpers

    def _card_events(self) -> int:
        return AuditEvent.objects.filter(subject_type="card", subject_id=self.card.card_no).count()

    def _snapshot(self):
        row = Card.objects.get(pk=self.card.pk)
        return (row.state, row.state_changed_at, AuditEvent.objects.count(), ServiceRequest.objects.count())

    def _business(self, business: str, expected: str | None, call) -> None:
        """Run ``call``; accepted exactly when ``expected`` (the model's next state) is not None."""
        before_events, before = self._card_events(), self._snapshot()
        resp = call()
        if expected is None:
            assert 400 <= resp.status_code < 500, (business, self.state, resp.content)
            assert self._snapshot() == before, (business, self.state, "a refusal changed something")
            return
        assert resp.status_code == 200, (business, self.state, resp.content)
        assert allowed(business, self.state)  # accepted only where the catalogue allows it
        assert Card.objects.get(pk=self.card.pk).state == expected, (business, self.state)
        assert self._card_events() == before_events + 1, (business, self.state, "one audit event a change")
        self.state = expected

    def _post(self, api, path: str, window: bool):
        body = {"applicant": self.doc, **({"evidence": f.window_evidence()} if window else {})}
        return lambda: api.post(path, body)

    # ------------------------------------------------------------------ the businesses

    @rule()
    def temporary_loss_by_phone(self):
        ok = allowed(Business.LOSS_REPORT, self.state) and self.state != CardState.LOST_TEMP
        expected = next_state(self.state, CardEvent.REPORT_LOSS_TEMP) if ok else None
        start = self.state
        call = self._post(self.hotline_api, "/cards/loss/report", False)
        self._business(Business.LOSS_REPORT, expected, call)
        if expected is not None:
            self.before_loss = start

    @rule()
    def formal_loss_at_the_window(self):
        event = CardEvent.CONFIRM_LOSS if self.state == CardState.LOST_TEMP else CardEvent.REPORT_LOSS
        expected = next_state(self.state, event) if allowed(Business.LOSS_REPORT, self.state) else None
        start = self.state
        self._business(Business.LOSS_REPORT, expected, self._post(self.clerk_api, "/cards/loss/report", True))
        if expected is not None and start != CardState.LOST_TEMP:
            self.before_loss = start

    @rule()
    def withdrawal_at_the_window(self):
        ok = allowed(Business.LOSS_WITHDRAW, self.state) and next_state(self.state, CardEvent.WITHDRAW_LOSS)
        self._business(Business.LOSS_WITHDRAW, self.before_loss if ok else None,
                       self._post(self.clerk_api, "/cards/loss/withdraw", True))

    @rule()
    def unlock_at_the_window(self):
        ok = allowed(Business.UNLOCK, self.state) and next_state(self.state, CardEvent.UNLOCK)
        self._business(Business.UNLOCK, self.before_lock if ok else None,
                       self._post(self.clerk_api, "/cards/unlock", True))
        if ok:
            self.failures = 0  # the counter restarts

    @precondition(lambda self: self.state != CardState.CANCELLED)
    @rule()
    def cancel_at_the_window(self):
        ok = allowed(Business.CANCEL, self.state) and not self.open_request
        self._business(Business.CANCEL, next_state(self.state, CardEvent.CANCEL) if ok else None,
                       self._post(self.clerk_api, "/cards/cancel", True))

    @rule()
    def formal_loss_at_the_kiosk(self):
        event = CardEvent.CONFIRM_LOSS if self.state == CardState.LOST_TEMP else CardEvent.REPORT_LOSS
        expected = next_state(self.state, event) if allowed(Business.LOSS_REPORT, self.state) else None
        start = self.state
        call = self._post(self.kiosk_api, "/cards/loss/report", False)
        self._business(Business.LOSS_REPORT, expected, call)
        if expected is not None and start != CardState.LOST_TEMP:
            self.before_loss = start

    @rule()
    def activation_at_the_window(self):
        ok = allowed(Business.ACTIVATE, self.state)
        self._business(Business.ACTIVATE, next_state(self.state, CardEvent.ACTIVATE) if ok else None,
                       self._post(self.clerk_api, "/cards/activate", True))

    def _pin_check_allowed(self) -> bool:
        return self.state in LIVE_STATES and allowed(Business.PIN_CHANGE, self.state)

    @rule(right=st.booleans())
    def pin_check_at_the_kiosk(self, right):
        """The holder types a PIN on the kiosk's pad: a wrong one is counted (an audit event, the refusal
        says so), the limit locks the card (a second change, a second event); a right one restarts the
        count.  Refused with nothing counted on a card the PIN businesses are not done on."""
        SimulatedPinPad.clear(self.kiosk_station)  # nothing left typed by an earlier step
        at_station(self.kiosk_station, self.card, PIN if right else "000111")
        before_events, before = self._card_events(), self._snapshot()
        resp = self.kiosk_api.post("/cards/pin/verify", {"applicant": self.doc})
        SimulatedPinPad.clear(self.kiosk_station)
        if not self._pin_check_allowed():
            assert 400 <= resp.status_code < 500, resp.content
            assert self._snapshot() == before
            return
        row = Card.objects.get(pk=self.card.pk)
        if right:
            assert resp.status_code == 200, resp.content
            self.failures = 0
            assert self._card_events() == before_events + 1
        else:
            assert resp.status_code == 422, resp.content
            self.failures += 1
            locks = self.failures >= policy_setting("pin_max_wrong_attempts")
            if locks:
                self.before_lock, self.state = self.state, next_state(self.state, CardEvent.LOCK)
            assert self._card_events() == before_events + 1 + locks  # the count, and the lock
        assert (row.state, row.pin_failures) == (self.state, self.failures)

    @rule()
    def application_at_the_window(self):
        """A new card is applied for only by a person with no usable card and no open business."""
        before = self._snapshot()
        birth = self.person.birth_date
        body = apply_body(number=self.person.id_number, birth=birth, name=self.person.name)
        resp = self.clerk_api.post("/applications", body)
        if self.state in LIVE_STATES or self.open_request:
            assert 400 <= resp.status_code < 500, resp.content
            assert self._snapshot() == before
            return
        assert resp.status_code in (200, 201), resp.content
        live = list(Card.objects.filter(person=self.person, state__in=LIVE_STATES))
        if live:  # issued on the spot: the new card is the one the model follows now
            self.card, self.state = live[0], live[0].state
            self.before_loss = self.before_lock = None
            self.failures = 0
            at_station(self.kiosk_station, self.card, pin=PIN)
        else:
            self.open_request = True

    @rule(business=st.sampled_from([Business.REISSUE, Business.REPLACE]))
    def reissue_or_replacement_at_the_window(self, business):
        """补领 (a lost card) / 换领 (a damaged one): a request for the new card, opened only on a usable
        card in the catalogue's states and with no business open; the old card stays as it is until the
        new one is handed over, and no second business opens meanwhile."""
        reason = "lost" if business == Business.REISSUE else "damaged"
        before_events, before = self._card_events(), self._snapshot()
        body = {"applicant": self.doc, "reason": reason, "photo_changed": False,
                "evidence": f.window_evidence()}
        path = "/cards/reissue" if business == Business.REISSUE else "/cards/replace"
        resp = self.clerk_api.post(path, body)
        ok = self.state in LIVE_STATES and allowed(business, self.state) and not self.open_request
        if not ok:
            assert 400 <= resp.status_code < 500, (business, self.state, resp.content)
            assert self._snapshot() == before
            return
        assert resp.status_code in (200, 201), (business, self.state, resp.content)
        assert Card.objects.get(pk=self.card.pk).state == self.state  # the old card until the hand-over
        assert self._card_events() == before_events
        self.open_request = True

    @rule()
    def status_query_changes_nothing(self):
        before = self._snapshot()
        resp = self.clerk_api.post("/cards/status-query", {"applicant": self.doc})
        assert resp.status_code == 200, resp.content
        assert self._snapshot() == before

    # ------------------------------------------------------------------ invariants

    @invariant()
    def no_two_usable_cards(self):
        if hasattr(self, "person"):
            assert Card.objects.filter(person=self.person, state__in=LIVE_STATES).count() <= 1

    @invariant()
    def the_card_is_what_the_model_says(self):
        if hasattr(self, "card"):
            row = Card.objects.get(pk=self.card.pk)
            assert (row.state, row.pin_failures) == (self.state, self.failures)


def test_the_card_state_machine_holds_against_its_model(clerk_api, hotline_api, kiosk_api, kiosk):
    CardMachine.clerk_api, CardMachine.hotline_api, CardMachine.kiosk_api = clerk_api, hotline_api, kiosk_api
    CardMachine.kiosk_station = f"kiosk:{kiosk.code}"
    # ~20 s on SQLite; PostgreSQL's round trips are slower, so fewer examples there (the same rules)
    examples = 20 if connection.vendor == "sqlite" else 8
    run_state_machine_as_test(CardMachine, settings=settings(
        max_examples=examples, stateful_step_count=25, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
