"""The card primitives: the one creator of card rows, the one state-change primitive, hand-over and
replacement, and card-number issuing.

``card_apply_event`` checks the transition table, resolves ``PREVIOUS`` from the state-change log,
saves with ``update_fields``, logs the change and writes the audit event.  ``cards_make`` is the only
place a card row is created (window, central and batch production, the demo loader).  Callers (the
business services in ``sscard.desk`` and ``sscard.production``) hold the row locks and run inside their
transaction; nothing here knows about businesses beyond the request they pass along for the log.
"""

import secrets
from dataclasses import dataclass, field

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.cards.choices import LIVE_STATES, CardEvent, CardState
from sscard.cards.models import Card, CardStateChange
from sscard.cards.rules import PREVIOUS, RESTORABLE, RESTORE_FROM_ENTRY, next_state
from sscard.core import clock
from sscard.core.errors import Conflict, NotFound

EVENT_AUDIT = {
    "activate": AuditEventType.CARD_ACTIVATED,
    "report_loss_temp": AuditEventType.CARD_LOSS_REPORTED_TEMPORARY,
    "report_loss": AuditEventType.CARD_LOSS_REPORTED,
    "confirm_loss": AuditEventType.CARD_LOSS_CONFIRMED,
    "lapse_loss": AuditEventType.CARD_TEMPORARY_LOSS_LAPSED,
    "withdraw_loss": AuditEventType.CARD_LOSS_WITHDRAWN,
    "lock": AuditEventType.CARD_LOCKED,
    "unlock": AuditEventType.CARD_UNLOCKED,
    "cancel": AuditEventType.CARD_CANCELLED,
    "replace": AuditEventType.CARD_REPLACED,
    "rollback": AuditEventType.CARD_ROLLED_BACK,
    "issue": AuditEventType.CARD_ISSUED,
    "issue_pending": AuditEventType.CARD_ISSUED_PENDING_ACTIVATION,
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


@dataclass
class NewCard:
    """A card to create: who holds it, where it came from, and whether it is handed over now.

    ``issued_outlet`` set: made and handed over at that outlet in one go (its own ``CARD_HANDED_OVER``
    event).  ``audit_data`` goes into the ``CARD_MADE`` event (request number, production mode ...).
    """

    card_no: str
    identification_code: str
    person_id: int
    state: str
    origin_channel: str
    origin_request: object = None
    issued_outlet: object = None
    expires_on: object = None
    delivery: str = ""  # how it reaches the holder (for the hand-over event)
    replaces: Card | None = None  # the old card, already ended by ``card_replace``: linked to the new one
    audit_data: dict = field(default_factory=dict)


MAKEABLE_STATES = (CardState.MADE, CardState.ACTIVE, CardState.PRODUCED)


def cards_make(*, actor, new: list[NewCard]) -> list[Card]:
    """Create the cards (one INSERT), audited ``CARD_MADE`` each (+ ``CARD_HANDED_OVER`` when issued).

    Rule: a new card starts ``made`` (first card, switched on by activation), ``active`` (a replacement
    handed over now) or ``produced`` (a replacement made ahead of its hand-over, not live).  The DB
    constraint ``one_live_card_per_person`` refuses a second live card.
    """
    now = clock.now()
    rows = []
    for spec in new:
        if spec.state not in MAKEABLE_STATES:
            raise ValueError(f"a card is never made in state {spec.state}")
        rows.append(Card(card_no=spec.card_no, identification_code=spec.identification_code,
                         person_id=spec.person_id, state=spec.state, state_changed_at=now,
                         origin_channel=spec.origin_channel, origin_request=spec.origin_request, made_at=now,
                         issued_at=now if spec.issued_outlet is not None else None,
                         issued_outlet=spec.issued_outlet, expires_on=spec.expires_on,
                         activated_at=now if spec.state == CardState.ACTIVE else None))
    if len(rows) == 1:
        rows[0].save(force_insert=True)  # keeps the primary key on every database
    else:
        Card.objects.bulk_create(rows, batch_size=1000)
    for spec, card in zip(new, rows):
        if spec.replaces is not None:
            _link_replacement(spec.replaces, card)
        audit_record(event_type=AuditEventType.CARD_MADE, actor=actor, subject_type="card", subject_id=card.card_no,
                     person_id=card.person_id, after={"state": card.state},
                     data={**spec.audit_data, "issued": spec.issued_outlet is not None})
        if spec.issued_outlet is not None:  # made and handed over in one go: the hand-over is its own event
            card_hand_over(actor=actor, card=card, outlet_id=spec.issued_outlet.pk, already_saved=True,
                           data={"request_no": spec.audit_data.get("request_no", ""),
                                 "outlet_code": spec.issued_outlet.code,
                                 "delivery": spec.delivery})
    return rows


def card_make(*, actor, new: NewCard) -> Card:
    """One card: ``cards_make`` with a single row."""
    return cards_make(actor=actor, new=[new])[0]


def card_hand_over(*, actor, card: Card, outlet_id: int | None, data: dict, already_saved: bool = False) -> None:
    """A made card (locked by the caller) is given to its holder at an outlet, or by the post
    (``outlet_id`` None).  Audited ``CARD_HANDED_OVER``."""
    if not already_saved:
        card.issued_at = clock.now()
        card.issued_outlet_id = outlet_id
        card.save(update_fields=["issued_at", "issued_outlet"])
    audit_record(event_type=AuditEventType.CARD_HANDED_OVER, actor=actor, subject_type="card", subject_id=card.card_no,
                 person_id=card.person_id, after={"issued": True}, data={"outlet_id": outlet_id, **data})


def card_lock_replaced(card_id: int) -> Card:
    """Lock the card a replacement ends.  Any live state will do: a loss report or PIN lock on the old
    card while the new one is being made is normal; the business's card-state rule was checked when it
    was accepted."""
    old = card_lock(card_id)
    if old.state not in LIVE_STATES:
        raise Conflict("OLD_CARD_ENDED", "原社保卡已注销或已换卡，本次补换卡不能继续，请作废后重新办理")
    return old


def card_replace(*, actor, old: Card, new_card_no: str, request=None) -> None:
    """The old card (locked) ends: ``replaced``.  The new card links back to it when it exists."""
    card_apply_event(card=old, event=CardEvent.REPLACE, actor=actor, request=request,
                     data={"new_card_no": new_card_no})


def _link_replacement(old: Card, new: Card) -> None:
    old.replaced_by = new
    old.save(update_fields=["replaced_by"])


def card_issue_replacement(*, actor, old_card_id: int, new: Card, request=None, pending: bool = False,
                           extra_fields: dict | None = None) -> None:
    """Hand-over of a replacement made ahead of time (``produced``): the old card ends and the new one
    becomes the card in use, active at once, or ``made`` with its functions switched on later
    (``pending``: batch pick-up, 96 hours).  A card no longer ``produced`` is left alone."""
    if new.state != CardState.PRODUCED:
        return
    old = card_lock_replaced(old_card_id)
    card_replace(actor=actor, old=old, new_card_no=new.card_no, request=request)
    _link_replacement(old, new)
    if pending:
        card_apply_event(card=new, event=CardEvent.ISSUE_PENDING, actor=actor, request=request,
                         extra_fields=extra_fields)
    else:
        card_apply_event(card=new, event=CardEvent.ISSUE, actor=actor, request=request,
                         extra_fields={"activated_at": clock.now(), **(extra_fields or {})})
