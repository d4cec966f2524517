"""PIN businesses: change (本人 only), reset (本人 or agent), and a counted PIN check.

Rule: the PIN never passes through the API or this code; the card terminal at the caller's station reads
it from its PIN pad and answers right / wrong (``cards.pin``).  A wrong old PIN is counted and the card
locked at the limit; those writes must commit although the attempt is refused, so the services *return*
a ``PinOutcome`` carrying the refusal.  No PIN operation on a card whose state the catalogue does not list.
"""

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.cards.choices import LIVE_STATES, CardState
from sscard.cards.pin import (
    PinOutcome,
    pin_counter_restart,
    pin_device_call,
    pin_station,
    pin_terminal,
    pin_wrong_count,
)
from sscard.cards.services import card_lock
from sscard.core.errors import InvalidInput, NotFound, Refused
from sscard.desk.intake import (
    DocInput,
    EvidenceInput,
    business_intake,
    intake_save,
    live_card_of,
    person_find,
)
from sscard.policy.catalogue import get_catalogue, policy_setting
from sscard.policy.choices import Business, Channel


def pin_change(*, actor, applicant: DocInput | None, agent: DocInput | None = None,
               evidence: EvidenceInput | None = None) -> PinOutcome:
    """密码修改 (window, kiosk; self only): old PIN on the pad, then the new one twice.

    Wrong old PIN: counted (and the card locked at the limit), returned refused.  Success: completed
    ``ServiceRequest``, counter restarted, audit ``CARD_PIN_CHANGED``.
    """
    with transaction.atomic():
        it = business_intake(actor=actor, business=Business.PIN_CHANGE, applicant=applicant, agent=agent,
                             evidence=evidence, record=False)
        station = pin_station(actor)
        if not pin_device_call(pin_terminal().change_pin, station, it.card.card_no):
            return pin_wrong_count(actor=actor, card=it.card, business=Business.PIN_CHANGE)
        req = intake_save(it, actor=actor)
        pin_counter_restart(actor=actor, card=it.card, request=req, event_type=AuditEventType.CARD_PIN_CHANGED)
        return PinOutcome(card=it.card, request=req)


def pin_reset(*, actor, applicant: DocInput | None, agent: DocInput | None = None,
              evidence: EvidenceInput | None = None) -> PinOutcome:
    """密码重置 (window, kiosk; self or agent): the new PIN twice on the pad, no old PIN.

    Completed ``ServiceRequest``, counter restarted, audit ``CARD_PIN_RESET``.
    """
    with transaction.atomic():
        it = business_intake(actor=actor, business=Business.PIN_RESET, applicant=applicant, agent=agent,
                             evidence=evidence, record=False)
        station = pin_station(actor)
        pin_device_call(pin_terminal().reset_pin, station, it.card.card_no)
        req = intake_save(it, actor=actor)
        pin_counter_restart(actor=actor, card=it.card, request=req, event_type=AuditEventType.CARD_PIN_RESET)
        return PinOutcome(card=it.card, request=req)


def pin_verify(*, actor, applicant: DocInput | None) -> PinOutcome:
    """A counted PIN check at a window or kiosk (the card holder types the PIN on the pad).

    Wrong: counted like a wrong old PIN (lock at the limit), returned refused.  Right: the counter restarts.
    Only on a card in a state where PIN businesses are allowed (catalogue ``pin_change.card_states``).
    """
    if actor.channel not in (Channel.WINDOW, Channel.KIOSK):
        raise Refused("PIN_PAD_UNAVAILABLE", "当前渠道没有密码键盘，不能校验密码")
    if applicant is None:
        raise InvalidInput("APPLICANT_DOC_MISSING", "缺少持卡人身份凭证（证件类型和号码）")
    with transaction.atomic():
        person = person_find(applicant)
        card = live_card_of(person)
        if card is None:
            raise NotFound("CARD_NOT_FOUND", "该人员名下没有在用的社会保障卡")
        card = card_lock(card.pk)
        allowed = get_catalogue().business(Business.PIN_CHANGE).card_states
        if card.state not in allowed or card.state not in LIVE_STATES:
            raise Refused("CARD_STATE_NOT_ALLOWED",
                          f"社保卡当前状态为“{CardState(card.state).label}”，不能进行密码校验",
                          details={"card_state": card.state})
        station = pin_station(actor)
        if not pin_device_call(pin_terminal().verify_pin, station, card.card_no):
            return pin_wrong_count(actor=actor, card=card, business="pin_verify")
        pin_counter_restart(actor=actor, card=card, request=None, event_type=AuditEventType.CARD_PIN_VERIFIED)
        return PinOutcome(card=card, remaining=policy_setting("pin_max_wrong_attempts"))
