"""The one primitive every card state change goes through, and card-number issuing.

``card_apply_event`` checks the transition table, resolves ``PREVIOUS`` from the state-change log,
saves with ``update_fields``, logs the change and writes the audit event.  Callers (the business
services) hold the card row lock (``card_lock``) and run inside their transaction.
"""

import secrets

from sscard.audit.services import audit_record
from sscard.cards.choices import CardState
from sscard.cards.models import Card, CardStateChange
from sscard.cards.rules import PREVIOUS, RESTORABLE, RESTORE_FROM_ENTRY, next_state
from sscard.core import clock
from sscard.core.errors import Conflict, NotFound

EVENT_AUDIT = {
    "activate": "CARD_ACTIVATED",
    "report_loss_temp": "CARD_LOSS_REPORTED_TEMPORARY",
    "report_loss": "CARD_LOSS_REPORTED",
    "confirm_loss": "CARD_LOSS_CONFIRMED",
    "lapse_loss": "CARD_TEMPORARY_LOSS_LAPSED",
    "withdraw_loss": "CARD_LOSS_WITHDRAWN",
    "lock": "CARD_LOCKED",
    "unlock": "CARD_UNLOCKED",
    "cancel": "CARD_CANCELLED",
    "replace": "CARD_REPLACED",
    "rollback": "CARD_ROLLED_BACK",
    "issue": "CARD_ISSUED",
    "issue_pending": "CARD_ISSUED_PENDING_ACTIVATION",
}


def card_lock(card_id: int) -> Card:
    """Lock the card row for the rest of the transaction (re-read: the caller's copy may be stale)."""
    try:
        return Card.objects.select_for_update().get(pk=card_id)
    except Card.DoesNotExist:
        raise NotFound("CARD_NOT_FOUND", "未找到该社会保障卡") from None


def last_change(card: Card) -> CardStateChange | None:
    return CardStateChange.objects.filter(card=card, rolled_back=False).order_by("-id").first()


def _previous_state(card: Card, event: str) -> tuple[str, CardStateChange]:
    """The state ``event`` restores, and the change it is read from (see ``RESTORE_FROM_ENTRY``)."""
    entry_events = RESTORE_FROM_ENTRY.get(event)
    if entry_events is None:
        change = last_change(card)
        valid = change is not None and change.to_state == card.state
    else:
        change = (CardStateChange.objects.filter(card=card, rolled_back=False, event__in=entry_events)
                  .order_by("-id").first())
        valid = change is not None
    if not valid or change.from_state not in RESTORABLE:
        raise Conflict("CARD_NO_PREVIOUS_STATE", "无法确定该卡此前的状态，不能恢复")
    return change.from_state, change


def card_apply_event(*, card: Card, event: str, actor, request=None, data: dict | None = None,
                     extra_fields: dict | None = None) -> Card:
    """Move a locked card through ``event``; refuse what the table does not allow."""
    target = next_state(card.state, event)
    if target is None:
        raise Conflict("CARD_TRANSITION_REFUSED",
                       f"社保卡当前状态为“{CardState(card.state).label}”，不能执行“{event}”操作",
                       details={"state": card.state, "event": event})
    undone = None
    if target == PREVIOUS:
        target, undone = _previous_state(card, event)
    before = {"state": card.state}
    now = clock.now()
    card.state = target
    card.state_changed_at = now
    fields = ["state", "state_changed_at"]
    for name, value in (extra_fields or {}).items():
        setattr(card, name, value)
        fields.append(name)
    card.save(update_fields=fields)
    if undone is not None and event in ("rollback",):
        undone.rolled_back = True
        undone.save(update_fields=["rolled_back"])
    CardStateChange.objects.create(card=card, event=event, from_state=before["state"], to_state=target, at=now,
                                   request=request, rolled_back=event == "rollback")
    audit_record(event_type=EVENT_AUDIT[event], actor=actor, subject_type="card", subject_id=card.card_no,
                 person_id=card.person_id, before=before, after={"state": target},
                 data={"request_no": request.request_no if request else "", **(data or {})})
    return card


def card_no_new() -> str:
    """A card number: one letter and eight digits (e.g. B00000019); unique by the DB constraint."""
    for _ in range(20):
        no = "B" + f"{secrets.randbelow(10**8):08d}"
        if not Card.objects.filter(card_no=no).exists():
            return no
    raise RuntimeError("could not find a free card number")
