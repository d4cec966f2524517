"""PIN businesses: change (本人 only), reset (本人 or agent), and a counted PIN check.

Rule: the PIN never passes through the API or this code; the card terminal at the caller's station
(``outlet:<code>`` for a window, ``kiosk:<code>`` for a kiosk) reads it from its PIN pad and answers
right / wrong.  A wrong old PIN increments ``Card.pin_failures`` atomically under the row lock; at
``pin_max_wrong_attempts`` the card is locked (``card_apply_event(event="lock")``).  Those writes must
commit although the attempt is refused, so the services *return* a ``PinOutcome`` carrying the refusal
and the router renders it (no exception inside the transaction).  A successful change or reset restarts
the counter.  No PIN operation on a card whose state the catalogue does not list (lost, locked, cancelled).
"""

from dataclasses import dataclass

from django.db import transaction
from django.db.models import F

from sscard.audit.services import audit_record
from sscard.cards.choices import LIVE_STATES, CardEvent, CardState
from sscard.cards.lifecycle import business_intake, intake_save, live_card_of
from sscard.cards.models import Card
from sscard.cards.services import card_apply_event, card_lock
from sscard.core.errors import DomainError, InvalidInput, NotFound, Refused
from sscard.desk.intake import DocInput, EvidenceInput, person_find
from sscard.policy.catalogue import get_catalogue, policy_setting
from sscard.policy.choices import Business, Channel


@dataclass
class PinOutcome:
    """The result of a PIN business: ``error`` set when refused (the counter / lock it wrote still commit)."""

    card: Card
    request: object | None = None
    error: DomainError | None = None
    remaining: int | None = None

    @property
    def ok(self) -> bool:
        return self.error is None


def pin_station(actor) -> str:
    """Where the PIN pad is: the clerk's outlet window or the kiosk itself."""
    from sscard.staff.models import KioskDevice, Outlet

    if actor.channel == Channel.KIOSK and actor.kiosk_id:
        return f"kiosk:{KioskDevice.objects.get(pk=actor.kiosk_id).code}"
    if actor.channel == Channel.WINDOW and actor.outlet_id:
        return f"outlet:{Outlet.objects.get(pk=actor.outlet_id).code}"
    raise Refused("PIN_PAD_UNAVAILABLE", "当前渠道没有密码键盘，不能办理密码业务")


def _terminal():
    from sscard.hardware.drivers import get_card_terminal

    return get_card_terminal()


def _device_call(fn, *args):
    """Call the terminal; device errors become domain errors (raised: nothing was written yet)."""
    from sscard.hardware.interfaces import DeviceError

    try:
        return fn(*args)
    except DeviceError as exc:
        raise exc.as_domain_error() from None


def _wrong_pin(*, actor, card: Card, business: str) -> PinOutcome:
    """Count one wrong PIN (atomic F() update on the locked row, then re-read); lock at the limit."""
    limit = policy_setting("pin_max_wrong_attempts")
    Card.objects.filter(pk=card.pk).update(pin_failures=F("pin_failures") + 1)
    card.refresh_from_db(fields=["pin_failures"])
    remaining = max(limit - card.pin_failures, 0)
    audit_record(event_type="CARD_PIN_WRONG", actor=actor, subject_type="card", subject_id=card.card_no,
                 person_id=card.person_id, after={"pin_failures": card.pin_failures},
                 data={"business": business, "remaining_attempts": remaining})
    if remaining == 0 and card.state != CardState.LOCKED:
        card_apply_event(card=card, event=CardEvent.LOCK, actor=actor,
                         data={"pin_failures": card.pin_failures, "business": business})
    if remaining == 0:
        error = Refused("PIN_WRONG_CARD_LOCKED", f"密码错误已达{limit}次，社保卡已锁定，请本人或代办人持证件到服务窗口解锁",
                        details={"remaining_attempts": 0, "locked": True})
    else:
        error = Refused("PIN_WRONG", f"密码错误，还可尝试{remaining}次", details={"remaining_attempts": remaining,
                                                                          "locked": False})
    return PinOutcome(card=card, error=error, remaining=remaining)


def _pin_restart(*, actor, card: Card, request, event_type: str) -> None:
    before = card.pin_failures
    if before:
        card.pin_failures = 0
        card.save(update_fields=["pin_failures"])
    audit_record(event_type=event_type, actor=actor, subject_type="card", subject_id=card.card_no,
                 person_id=card.person_id, before={"pin_failures": before}, after={"pin_failures": 0},
                 data={"request_no": request.request_no if request else ""})


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
        if not _device_call(_terminal().change_pin, station, it.card.card_no):
            return _wrong_pin(actor=actor, card=it.card, business=Business.PIN_CHANGE)
        req = intake_save(it, actor=actor)
        _pin_restart(actor=actor, card=it.card, request=req, event_type="CARD_PIN_CHANGED")
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
        _device_call(_terminal().reset_pin, station, it.card.card_no)
        req = intake_save(it, actor=actor)
        _pin_restart(actor=actor, card=it.card, request=req, event_type="CARD_PIN_RESET")
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
        if not _device_call(_terminal().verify_pin, station, card.card_no):
            return _wrong_pin(actor=actor, card=card, business="pin_verify")
        _pin_restart(actor=actor, card=card, request=None, event_type="CARD_PIN_VERIFIED")
        return PinOutcome(card=card, remaining=policy_setting("pin_max_wrong_attempts"))
