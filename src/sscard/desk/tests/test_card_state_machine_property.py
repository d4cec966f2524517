"""A property-based test of the card and business state machines (Hypothesis ``RuleBasedStateMachine``).

Each example is one person with one card, driven through the businesses as the window, the 12333 hotline
and the PIN counter call them (loss report temporary and formal, withdrawal, unlock, cancel, the PIN lock,
status queries) against a simple model: the card's state, and the state a loss or a lock began from.
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
from hypothesis import HealthCheck, settings
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
from sscard.cards.services import card_apply_event
from sscard.desk.models import ServiceRequest
from sscard.policy.catalogue import get_catalogue
from sscard.policy.choices import Business
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


def allowed(business: str, state: str) -> bool:
    """The catalogue's rule: the business is done on a card in one of its ``card_states`` (none: any)."""
    states = get_catalogue().business(business).card_states
    return not states or state in states


class CardMachine(RuleBasedStateMachine):
    clerk_api = hotline_api = None  # set by the test

    @initialize()
    def a_person_with_a_card(self):
        self.person = f.make_person(birth_date=f.adult_birth())
        self.card = f.make_card(self.person, state=CardState.ACTIVE)
        self.state = CardState.ACTIVE
        self.before_loss = self.before_lock = None
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

    @precondition(lambda self: self.state != CardState.CANCELLED)
    @rule()
    def cancel_at_the_window(self):
        ok = allowed(Business.CANCEL, self.state)
        self._business(Business.CANCEL, next_state(self.state, CardEvent.CANCEL) if ok else None,
                       self._post(self.clerk_api, "/cards/cancel", True))

    @rule()
    def pin_lock(self):
        """The PIN counter at its limit locks the card (``cards.pin``), where the card table allows it."""
        expected = next_state(self.state, CardEvent.LOCK)
        if expected is None:
            return
        before = self._card_events()
        card = Card.objects.get(pk=self.card.pk)
        card_apply_event(card=card, event=CardEvent.LOCK, actor=Actor.system("pin"), data={"pin_failures": 6})
        assert Card.objects.get(pk=self.card.pk).state == expected
        assert self._card_events() == before + 1
        self.before_lock, self.state = self.state, expected

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
            assert Card.objects.get(pk=self.card.pk).state == self.state


def test_the_card_state_machine_holds_against_its_model(clerk_api, hotline_api):
    CardMachine.clerk_api, CardMachine.hotline_api = clerk_api, hotline_api
    run_state_machine_as_test(CardMachine, settings=settings(
        max_examples=12, stateful_step_count=12, deadline=None, database=None,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]))
