"""Every (state, event) pair of the card transition table through ``card_apply_event``, and every absent
pair refused without a change."""

import itertools

import pytest
from django.db import transaction

from sscard.audit.models import AuditEvent
from sscard.cards.choices import CardEvent, CardState
from sscard.cards.models import Card, CardStateChange
from sscard.cards.rules import PREVIOUS, RESTORE_FROM_ENTRY, TRANSITIONS
from sscard.cards.services import EVENT_AUDIT, card_apply_event
from sscard.core import clock
from sscard.core.errors import Conflict
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("table-test")
ABSENT = [pair for pair in itertools.product(CardState.values, CardEvent.values) if pair not in TRANSITIONS]


def _card_in(state: str) -> Card:
    return f.make_card(f.make_person(), state=state)


def _previous_for(state: str) -> str:
    return CardState.MADE if state != CardState.MADE else CardState.ACTIVE


@pytest.mark.parametrize(("state", "event"), sorted(TRANSITIONS))
def test_every_listed_pair(state, event):
    card = _card_in(state)
    expected = TRANSITIONS[(state, event)]
    if expected == PREVIOUS:
        expected = _previous_for(state)
        setup_event = RESTORE_FROM_ENTRY.get(event, ("setup",))[0]
        CardStateChange.objects.create(card=card, event=setup_event, from_state=expected, to_state=state,
                                       at=clock.now())
    with transaction.atomic():
        card_apply_event(card=card, event=event, actor=ACTOR)
    row = Card.objects.get(pk=card.pk)
    assert row.state == expected
    change = CardStateChange.objects.filter(card=card).order_by("-id").first()
    assert (change.event, change.from_state, change.to_state) == (event, state, expected)
    audit = AuditEvent.objects.filter(subject_id=card.card_no).get()
    assert audit.event_type == EVENT_AUDIT[event]
    assert (audit.before, audit.after) == ({"state": state}, {"state": expected})


@pytest.mark.parametrize(("state", "event"), ABSENT)
def test_every_absent_pair_is_refused_and_changes_nothing(state, event):
    card = _card_in(state)
    with pytest.raises(Conflict) as exc, transaction.atomic():
        card_apply_event(card=card, event=event, actor=ACTOR)
    assert exc.value.code == "CARD_TRANSITION_REFUSED"
    assert Card.objects.get(pk=card.pk).state == state
    assert not CardStateChange.objects.filter(card=card).exists()
    assert not AuditEvent.objects.filter(subject_id=card.card_no).exists()


def test_previous_without_a_log_is_refused():
    card = _card_in(CardState.LOCKED)
    with pytest.raises(Conflict) as exc, transaction.atomic():
        card_apply_event(card=card, event=CardEvent.UNLOCK, actor=ACTOR)
    assert exc.value.code == "CARD_NO_PREVIOUS_STATE"
    assert Card.objects.get(pk=card.pk).state == CardState.LOCKED


def test_the_table_covers_both_kinds():
    assert len(TRANSITIONS) + len(ABSENT) == len(CardState.values) * len(CardEvent.values)
    assert ABSENT


@pytest.mark.django_db
def test_withdraw_and_unlock_restore_the_state_before_their_condition_began():
    """locked -> lost -> withdrawn restores locked; unlocking then restores active; a temporary loss
    made formal and withdrawn restores the state before the temporary loss."""
    from sscard.cards.services import card_apply_event
    from sscard.staff.actors import Actor
    from sscard.testing.factories import make_card, make_person

    actor = Actor.system("test")
    card = make_card(make_person(), state="active")
    for event in ("lock", "report_loss", "withdraw_loss"):
        card_apply_event(card=card, event=event, actor=actor)
    assert card.state == "locked"
    card_apply_event(card=card, event="unlock", actor=actor)
    assert card.state == "active"
    for event in ("report_loss_temp", "confirm_loss", "withdraw_loss"):
        card_apply_event(card=card, event=event, actor=actor)
    assert card.state == "active"
