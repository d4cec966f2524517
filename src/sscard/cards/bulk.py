"""The bulk form of ``card_apply_event``, for the sweeps: a chunk of cards moved through the state table
by one statement.

``cards_apply_event_bulk`` takes the cards a sweep selected (under its row locks) in one from-state, looks
the event up in ``cards.rules.TRANSITIONS`` (the same table as one card's move; a pair the table does not
hold is refused), resolves ``PREVIOUS`` from the state-change log for the whole chunk at once, moves the
cards with one guarded ``UPDATE ... RETURNING`` (``bulk_sql``: a card no longer in the from-state, or no
longer due, is not moved), then writes the state-change rows of exactly the returned cards in one insert
and their audit events in one ``audit_record_many``: the same event type, ``before`` / ``after`` and
``data`` as ``card_apply_event`` writes for one card.  The caller runs it inside its chunk's transaction.
"""

import datetime as dt
import logging
from dataclasses import dataclass, field

from django.db import transaction

from sscard.audit.services import audit_record_many
from sscard.cards.bulk_sql import update_returning
from sscard.cards.models import CardStateChange
from sscard.cards.rules import PREVIOUS, RESTORABLE, RESTORE_FROM_ENTRY, next_state
from sscard.cards.services import EVENT_AUDIT
from sscard.core import clock
from sscard.core.bulk import bulk_insert, clone

log = logging.getLogger(__name__)


@dataclass
class DueCard:
    """A card a sweep selected: its keys, the state it was selected in, and its own audit data."""

    card_id: int
    card_no: str
    person_id: int
    data: dict = field(default_factory=dict)
    to_state: str = ""  # set by the move


@dataclass
class BulkMoved:
    moved: list[DueCard]  # moved, state-change row and audit event written
    left: list[DueCard]  # not moved: changed by someone else meanwhile, no longer due, or no previous state


def bulk_target(from_state: str, event: str) -> str:
    """The table's target of ``(from_state, event)`` (may be ``PREVIOUS``); refuses a pair it lacks."""
    target = next_state(from_state, event)
    if target is None:
        raise ValueError(f"the card state table has no move ({from_state!r}, {event!r})")
    return target


def _previous_states(card_ids: list[int], event: str) -> dict[int, str]:
    """The bulk form of ``services._previous_state`` for an event restoring from its entry change (a
    lapse, a withdrawal, an unlock): card id -> the state before that change, for each card that has one."""
    entry_events = RESTORE_FROM_ENTRY.get(event)
    if entry_events is None:
        raise ValueError(f"{event!r} restores from the last change: not a bulk move")
    latest: dict[int, str] = {}
    rows = (CardStateChange.objects.filter(card_id__in=card_ids, rolled_back=False, event__in=entry_events)
            .order_by("card_id", "-id").values_list("card_id", "from_state"))
    for card_id, from_state in rows:
        latest.setdefault(card_id, from_state)
    return {card_id: state for card_id, state in latest.items() if state in RESTORABLE}


def cards_apply_event_bulk(*, actor, cards: list[DueCard], from_state: str, event: str,
                           extra_fields: dict | None = None, due_column: str | None = None,
                           due_at: dt.datetime | None = None) -> BulkMoved:
    """Move ``cards`` (selected in ``from_state``, locked by the caller where the database has row locks)
    through ``event``.  ``due_column``: the statement also re-checks ``<column> <= due_at``.  The change
    is stamped ``clock.now()``, as one card's.  Returns the cards moved and those left as they were."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("cards_apply_event_bulk runs inside the sweep's chunk transaction")
    target = bulk_target(from_state, event)
    now = clock.now()
    if not cards:
        return BulkMoved([], [])
    if target == PREVIOUS:
        previous = _previous_states([c.card_id for c in cards], event)
        targets = {c.card_id: previous[c.card_id] for c in cards if c.card_id in previous}
        for c in cards:
            if c.card_id not in previous:
                log.warning("card %s: no state to restore by %s; left %s", c.card_no, event, from_state)
    else:
        targets = {c.card_id: target for c in cards}
    moved_ids = set(update_returning(targets=targets, from_state=from_state,
                                     set_values={"state_changed_at": now, **(extra_fields or {})},
                                     due_column=due_column, due_at=due_at))
    moved, left = [], []
    for c in cards:
        if c.card_id in moved_ids:
            c.to_state = targets[c.card_id]
            moved.append(c)
        else:
            left.append(c)
    if not moved:
        return BulkMoved(moved, left)
    template = CardStateChange(event=event, from_state=from_state, to_state="", at=now, request=None,
                               rolled_back=False)
    changes = [clone(template, card_id=c.card_id, to_state=c.to_state) for c in moved]
    bulk_insert(CardStateChange, changes, key=None)
    before = {"state": from_state}
    after = {state: {"state": state} for state in set(targets.values())}  # shared: encoded once per chunk
    data: dict[int, dict] = {}  # id(card's data) -> the event's data: cards sharing one dict share it too

    def event_data(c: DueCard) -> dict:
        if id(c.data) not in data:
            data[id(c.data)] = {"request_no": "", **c.data}
        return data[id(c.data)]

    audit_record_many(event_type=EVENT_AUDIT[event], actor=actor, rows=(
        {"subject_type": "card", "subject_id": c.card_no, "person_id": c.person_id, "before": before,
         "after": after[c.to_state], "data": event_data(c)} for c in moved))
    return BulkMoved(moved, left)
