"""The card state machine as a table: ``{(state, event): next_state}``.  Anything absent is refused.

``PREVIOUS`` means "the state the card was in before the change being undone" (a loss withdrawn or
lapsing, a rollback); the service reads it from the card's state-change log.
"""

from sscard.cards.choices import CardEvent as E
from sscard.cards.choices import CardState as S

PREVIOUS = "__previous__"

TRANSITIONS: dict[tuple[str, str], str] = {
    (S.MADE, E.ACTIVATE): S.ACTIVE,
    # loss: temporary (12333) or formal (window / kiosk / app)
    (S.MADE, E.REPORT_LOSS_TEMP): S.LOST_TEMP,
    (S.ACTIVE, E.REPORT_LOSS_TEMP): S.LOST_TEMP,
    (S.LOCKED, E.REPORT_LOSS_TEMP): S.LOST_TEMP,
    (S.MADE, E.REPORT_LOSS): S.LOST,
    (S.ACTIVE, E.REPORT_LOSS): S.LOST,
    (S.LOCKED, E.REPORT_LOSS): S.LOST,
    (S.LOST_TEMP, E.CONFIRM_LOSS): S.LOST,
    (S.LOST_TEMP, E.LAPSE_LOSS): PREVIOUS,
    (S.LOST_TEMP, E.WITHDRAW_LOSS): PREVIOUS,
    (S.LOST, E.WITHDRAW_LOSS): PREVIOUS,
    # PIN lock
    (S.ACTIVE, E.LOCK): S.LOCKED,
    (S.MADE, E.LOCK): S.LOCKED,
    (S.LOCKED, E.UNLOCK): PREVIOUS,
    # end of a card
    (S.MADE, E.CANCEL): S.CANCELLED,
    (S.ACTIVE, E.CANCEL): S.CANCELLED,
    (S.LOCKED, E.CANCEL): S.CANCELLED,
    (S.LOST_TEMP, E.CANCEL): S.CANCELLED,
    (S.LOST, E.CANCEL): S.CANCELLED,
    (S.MADE, E.REPLACE): S.REPLACED,
    (S.ACTIVE, E.REPLACE): S.REPLACED,
    (S.LOCKED, E.REPLACE): S.REPLACED,
    (S.LOST_TEMP, E.REPLACE): S.REPLACED,
    (S.LOST, E.REPLACE): S.REPLACED,
    # a replacement made ahead of its hand-over becomes the card in use when handed over
    (S.PRODUCED, E.ISSUE): S.ACTIVE,
    (S.PRODUCED, E.ISSUE_PENDING): S.MADE,  # batch pick-up: functions switch on 96 hours later
    # rollback undoes the last reversible change (see policy setting reversible_events)
    (S.CANCELLED, E.ROLLBACK): PREVIOUS,
    (S.LOST_TEMP, E.ROLLBACK): PREVIOUS,
    (S.LOST, E.ROLLBACK): PREVIOUS,
    (S.ACTIVE, E.ROLLBACK): PREVIOUS,
    (S.MADE, E.ROLLBACK): PREVIOUS,
    (S.LOCKED, E.ROLLBACK): PREVIOUS,
}

# Where PREVIOUS comes from: the state before the change that began the current condition (the loss
# report for a withdrawal or lapse, the lock for an unlock).  A rollback restores the state before the
# last change that has not itself been rolled back.
RESTORE_FROM_ENTRY: dict[str, tuple[str, ...]] = {
    E.WITHDRAW_LOSS: (E.REPORT_LOSS_TEMP, E.REPORT_LOSS),
    E.LAPSE_LOSS: (E.REPORT_LOSS_TEMP,),
    E.UNLOCK: (E.LOCK,),
}

# States a PREVIOUS may restore to: an ended card never comes back through withdraw/unlock.
RESTORABLE = {S.MADE, S.ACTIVE, S.LOCKED, S.LOST_TEMP, S.LOST}
RESTORABLE_BY_ROLLBACK = RESTORABLE  # cancelled -> restored; a replaced card is never restored


def next_state(state: str, event: str) -> str | None:
    return TRANSITIONS.get((state, event))


# The moves the sweeps make in bulk (``cards.bulk.cards_apply_event_bulk``): name -> (from-state, event).
# The target comes from ``TRANSITIONS`` like any other move; a test holds each pair to the table.
SWEEP_MOVES: dict[str, tuple[str, str]] = {
    "lapse_temporary_loss": (S.LOST_TEMP, E.LAPSE_LOSS),
    "batch_activation": (S.MADE, E.ACTIVATE),
}
