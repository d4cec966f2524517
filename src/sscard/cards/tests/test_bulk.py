"""The bulk form of a card move (``cards.bulk``): the same table, the same rows and audit events as
``card_apply_event`` for one card, every pair; absent pairs refused; a card changed meanwhile left alone."""

import datetime as dt
import itertools

import pytest
from django.db import transaction

from sscard.audit.models import AuditEvent
from sscard.cards import bulk
from sscard.cards.bulk import DueCard, bulk_target, cards_apply_event_bulk
from sscard.cards.choices import CardEvent, CardState
from sscard.cards.models import Card, CardStateChange
from sscard.cards.rules import PREVIOUS, RESTORE_FROM_ENTRY, SWEEP_MOVES, TRANSITIONS
from sscard.cards.services import card_apply_event
from sscard.core import clock
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("bulk-test")
# Every pair of the table the bulk form can make: all but the rollbacks (which restore from the last change
# and mark it undone: one card at a time, by a business).
BULK_PAIRS = sorted(pair for pair, target in TRANSITIONS.items()
                    if target != PREVIOUS or pair[1] in RESTORE_FROM_ENTRY)
ABSENT = [pair for pair in itertools.product(CardState.values, CardEvent.values) if pair not in TRANSITIONS]


def _due(card: Card, **data) -> DueCard:
    return DueCard(card.pk, card.card_no, card.person_id, data)


def _card_in(state: str, event: str) -> Card:
    card = f.make_card(f.make_person(), state=state)
    if TRANSITIONS[(state, event)] == PREVIOUS:
        previous = CardState.MADE if state != CardState.MADE else CardState.ACTIVE
        CardStateChange.objects.create(card=card, event=RESTORE_FROM_ENTRY[event][0], from_state=previous,
                                       to_state=state, at=clock.now())
    return card


def _event_shape(card: Card) -> tuple:
    e = AuditEvent.objects.filter(subject_id=card.card_no).latest("seq")
    assert e.person_id == card.person_id
    return e.event_type, e.subject_type, e.before, e.after, e.data, e.actor_kind, e.channel


def _change_shape(card: Card) -> tuple:
    c = CardStateChange.objects.filter(card=card).latest("id")
    return c.event, c.from_state, c.to_state, c.request_id, c.rolled_back


def test_every_sweep_move_is_a_pair_of_the_table():
    for name, (state, event) in SWEEP_MOVES.items():
        assert (state, event) in TRANSITIONS, name
        assert bulk_target(state, event) == TRANSITIONS[(state, event)]


@pytest.mark.parametrize(("state", "event"), BULK_PAIRS)
def test_every_pair_in_bulk_writes_what_one_card_move_writes(state, event):
    one, other = _card_in(state, event), _card_in(state, event)
    with transaction.atomic():
        card_apply_event(card=Card.objects.select_for_update().get(pk=one.pk), event=event, actor=ACTOR,
                         data={"why": "test"})
        result = cards_apply_event_bulk(actor=ACTOR, cards=[_due(other, why="test")], from_state=state,
                                        event=event)
    assert [c.card_id for c in result.moved] == [other.pk] and result.left == []
    one.refresh_from_db()
    other.refresh_from_db()
    assert other.state == one.state != state
    assert _change_shape(other) == _change_shape(one)
    assert _event_shape(other) == _event_shape(one)


@pytest.mark.parametrize(("state", "event"), ABSENT)
def test_a_pair_the_table_lacks_is_refused_in_bulk(state, event):
    card = f.make_card(f.make_person(), state=state)
    with transaction.atomic(), pytest.raises(ValueError, match="no move"):
        cards_apply_event_bulk(actor=ACTOR, cards=[_due(card)], from_state=state, event=event)
    assert Card.objects.get(pk=card.pk).state == state
    assert not AuditEvent.objects.filter(subject_id=card.card_no).exists()


def test_a_card_changed_between_selection_and_update_is_left(monkeypatch):
    cards = [f.make_card(f.make_person(), state="active") for _ in range(3)]
    real = bulk.update_returning

    def business_first(**kw):  # a business locks the card in between: the statement's re-check sees it
        Card.objects.filter(pk=cards[1].pk).update(state="lost")
        return real(**kw)

    monkeypatch.setattr(bulk, "update_returning", business_first)
    with transaction.atomic():
        result = cards_apply_event_bulk(actor=ACTOR, cards=[_due(c) for c in cards], from_state="active",
                                        event="lock")
    assert [c.card_id for c in result.moved] == [cards[0].pk, cards[2].pk]
    assert [c.card_id for c in result.left] == [cards[1].pk]
    assert dict(Card.objects.values_list("id", "state")) == {cards[0].pk: "locked", cards[1].pk: "lost",
                                                            cards[2].pk: "locked"}
    assert not AuditEvent.objects.filter(subject_id=cards[1].card_no).exists()
    assert not CardStateChange.objects.filter(card=cards[1]).exists()
    assert AuditEvent.objects.count() == CardStateChange.objects.count() == 2
    assert audit_log_verified()[:2] == (True, None)


def test_the_due_column_is_rechecked_by_the_statement():
    now = clock.now()
    due, later = (f.make_card(f.make_person(), state="lost_temp") for _ in range(2))
    for card in (due, later):
        CardStateChange.objects.create(card=card, event="report_loss_temp", from_state="active",
                                       to_state="lost_temp", at=now)
    Card.objects.filter(pk=due.pk).update(temp_loss_expires_at=now)
    Card.objects.filter(pk=later.pk).update(temp_loss_expires_at=now + dt.timedelta(seconds=1))
    with transaction.atomic():
        result = cards_apply_event_bulk(actor=ACTOR, cards=[_due(due), _due(later)], from_state="lost_temp",
                                        event="lapse_loss", due_column="temp_loss_expires_at", due_at=now)
    assert [c.card_id for c in result.moved] == [due.pk] and [c.card_id for c in result.left] == [later.pk]


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_it_refuses():
    card = f.make_card(f.make_person(), state="made")
    with pytest.raises(RuntimeError):
        cards_apply_event_bulk(actor=ACTOR, cards=[_due(card)], from_state="made", event="activate")
