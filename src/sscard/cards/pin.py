"""PIN primitives: where the PIN pad is, the card terminal, counting a wrong PIN (and locking the card
at the limit), restarting the counter.  The PIN businesses themselves are in ``sscard.desk.pin``.

Rule: the PIN never passes through the API or this code; the card terminal at the caller's station
(``outlet:<code>`` for a window, ``kiosk:<code>`` for a kiosk) reads it from its PIN pad and answers
right / wrong.  A wrong old PIN increments ``Card.pin_failures`` atomically under the row lock; at
``pin_max_wrong_attempts`` the card is locked (``card_apply_event(event="lock")``).  Those writes must
commit although the attempt is refused, so the services *return* a ``PinOutcome`` carrying the refusal
and the router renders it (no exception inside the transaction).  A successful change or reset restarts
the counter.  No PIN operation on a card whose state the catalogue does not list (lost, locked, cancelled).
"""

from dataclasses import dataclass

from django.db.models import F

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.cards.choices import CardEvent, CardState
from sscard.cards.models import Card
from sscard.cards.services import card_apply_event
from sscard.core.errors import DomainError, Refused
from sscard.hardware.drivers import get_card_terminal
from sscard.hardware.interfaces import DeviceError
from sscard.policy.catalogue import policy_setting
from sscard.policy.choices import Channel
from sscard.staff.models import KioskDevice, Outlet


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
    if actor.channel == Channel.KIOSK and actor.kiosk_id:
        return f"kiosk:{KioskDevice.objects.get(pk=actor.kiosk_id).code}"
    if actor.channel == Channel.WINDOW and actor.outlet_id:
        return f"outlet:{Outlet.objects.get(pk=actor.outlet_id).code}"
    raise Refused("PIN_PAD_UNAVAILABLE", "当前渠道没有密码键盘，不能办理密码业务")


def pin_terminal():
    return get_card_terminal()


def pin_device_call(fn, *args):
    """Call the terminal; device errors become domain errors (raised: nothing was written yet)."""
    try:
        return fn(*args)
    except DeviceError as exc:
        raise exc.as_domain_error() from None


def pin_wrong_count(*, actor, card: Card, business: str) -> PinOutcome:
    """Count one wrong PIN (atomic F() update on the locked row, then re-read); lock at the limit."""
    limit = policy_setting("pin_max_wrong_attempts")
    Card.objects.filter(pk=card.pk).update(pin_failures=F("pin_failures") + 1)
    card.refresh_from_db(fields=["pin_failures"])
    remaining = max(limit - card.pin_failures, 0)
    audit_record(event_type=AuditEventType.CARD_WRONG_PIN_COUNTED, actor=actor, subject_type="card", subject_id=card.card_no,
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


def pin_counter_restart(*, actor, card: Card, request, event_type: str) -> None:
    before = card.pin_failures
    if before:
        card.pin_failures = 0
        card.save(update_fields=["pin_failures"])
    audit_record(event_type=event_type, actor=actor, subject_type="card", subject_id=card.card_no,
                 person_id=card.person_id, before={"pin_failures": before}, after={"pin_failures": 0},
                 data={"request_no": request.request_no if request else ""})
