"""Card-lifecycle businesses that take effect in one call: loss report and withdrawal, unlock, cancellation
and rollback.  (The status query is a read: ``desk.status``.)

Each goes through the one intake (``desk.intake.business_intake``): the catalogue cell for the caller's
channel and the applicant role, the documents presented, the person they belong to, the person's card
locked for the transaction, the card state the catalogue allows, the evidence a window must keep, and the
completed ``ServiceRequest`` record.  The card then moves only through ``cards.services.card_apply_event``
(which logs and audits).
"""

import datetime as dt

from django.db import transaction

from sscard.cards.choices import LIVE_STATES, CardEvent, CardState
from sscard.cards.models import Card
from sscard.cards.services import card_apply_event, last_change
from sscard.core import clock
from sscard.core.errors import Conflict, NotFound, Refused
from sscard.desk.intake import (
    DocInput,
    EvidenceInput,
    Intake,
    applicant_person,
    business_intake,
    live_card_of,
)
from sscard.desk.selectors import open_production_request
from sscard.notify.choices import MessageKind, Recipient
from sscard.notify.services import notify_enqueue
from sscard.policy.catalogue import policy_setting
from sscard.policy.choices import Business
from sscard.policy.rules import cite_business, precheck_channel


def _temp_expiry() -> dt.datetime:
    return clock.now() + dt.timedelta(days=policy_setting("temp_loss_lapse_days"))


def card_loss_report(*, actor, applicant: DocInput | None, agent: DocInput | None = None,
                     evidence: EvidenceInput | None = None) -> Intake:
    """挂失.  Phone (12333): temporary loss lapsing after ``temp_loss_lapse_days``.  Window, kiosk, app:
    formal loss; a temporary loss reported again there is made formal (``confirm_loss``)."""
    with transaction.atomic():
        it = business_intake(actor=actor, business=Business.LOSS_REPORT, applicant=applicant, agent=agent,
                             evidence=evidence)
        card = it.card
        if it.cell.temporary:
            if card.state == CardState.LOST_TEMP:
                raise Conflict("LOSS_ALREADY_REPORTED", "该卡已临时挂失，请到服务窗口、自助一体机或APP办理正式挂失",
                               rule=cite_business(Business.LOSS_REPORT))
            card_apply_event(card=card, event=CardEvent.REPORT_LOSS_TEMP, actor=actor, request=it.request,
                             extra_fields={"temp_loss_expires_at": _temp_expiry()})
        else:
            event = CardEvent.CONFIRM_LOSS if card.state == CardState.LOST_TEMP else CardEvent.REPORT_LOSS
            card_apply_event(card=card, event=event, actor=actor, request=it.request,
                             extra_fields={"temp_loss_expires_at": None})
        notify_enqueue(kind=MessageKind.LOSS_REPORTED, recipient=Recipient.HOLDER, person_id=it.applicant.pk,
                       subject=("service_request", it.request.request_no),
                       params={"name": it.applicant.name, "card_no": card.card_no, "at": clock.now(),
                               "until": card.temp_loss_expires_at})
        return it


def card_loss_withdraw(*, actor, applicant: DocInput | None, agent: DocInput | None = None,
                       evidence: EvidenceInput | None = None) -> Intake:
    """解挂 (window, kiosk, app; never by phone): the card returns to the state it had before the loss
    was first reported (a temporary loss made formal goes back past both)."""
    with transaction.atomic():
        it = business_intake(actor=actor, business=Business.LOSS_WITHDRAW, applicant=applicant, agent=agent,
                             evidence=evidence)
        card_apply_event(card=it.card, event=CardEvent.WITHDRAW_LOSS, actor=actor, request=it.request,
                         extra_fields={"temp_loss_expires_at": None})
        return it


def card_unlock(*, actor, applicant: DocInput | None, agent: DocInput | None = None,
                evidence: EvidenceInput | None = None) -> Intake:
    """解锁 (window only): a PIN-locked card returns to its previous state; the wrong-PIN counter restarts."""
    with transaction.atomic():
        it = business_intake(actor=actor, business=Business.UNLOCK, applicant=applicant, agent=agent,
                             evidence=evidence)
        card_apply_event(card=it.card, event=CardEvent.UNLOCK, actor=actor, request=it.request,
                         extra_fields={"pin_failures": 0})
        return it


def card_cancel(*, actor, applicant: DocInput | None, agent: DocInput | None = None,
                evidence: EvidenceInput | None = None) -> Intake:
    """注销 (window only): the live card ends (``cancelled``); a rollback within the window may restore it."""
    with transaction.atomic():
        it = business_intake(actor=actor, business=Business.CANCEL, applicant=applicant, agent=agent,
                             evidence=evidence)
        _refuse_open_production(it.applicant, Business.CANCEL)
        card_apply_event(card=it.card, event=CardEvent.CANCEL, actor=actor, request=it.request,
                         extra_fields={"temp_loss_expires_at": None})
        return it


def _refuse_open_production(person, business: str) -> None:
    """Cancelling a card, or restoring a cancelled one, while a card is being applied for or made would
    leave that production unable to finish: the open business is finished or voided first."""
    open_req = open_production_request(person)
    if open_req is not None:
        raise Refused("OPEN_REQUEST_EXISTS", f"该人员有正在办理的制卡业务（{open_req.request_no}），请办结或作废后再办理",
                      rule=cite_business(business), details={"request_no": open_req.request_no})


def _rollback_card(person) -> Card | None:
    """The card a rollback acts on: the live card, or else the most recently cancelled one."""
    return live_card_of(person) or (
        Card.objects.filter(person=person, state=CardState.CANCELLED)
        .order_by("-state_changed_at", "-id").first())


def card_rollback(*, actor, applicant: DocInput | None, agent: DocInput | None = None,
                  evidence: EvidenceInput | None = None) -> Intake:
    """回退 (window only): undo the card's last change when its event is in ``reversible_events`` and it
    happened within ``rollback_window_days``; otherwise refuse (nothing to undo / not reversible / too
    old)."""
    rule = cite_business(Business.ROLLBACK)
    with transaction.atomic():
        precheck_channel(Business.ROLLBACK, actor.channel, proxy=agent is not None)
        person = applicant_person(actor, Business.ROLLBACK, applicant) if applicant else None
        card = _rollback_card(person) if person is not None else None
        if person is not None and card is None:
            raise NotFound("CARD_NOT_FOUND", "该人员名下没有可回退的社会保障卡", rule=rule)
        it = business_intake(actor=actor, business=Business.ROLLBACK, applicant=applicant, agent=agent,
                             evidence=evidence, card=card, check_state=False)
        card = it.card
        change = last_change(card)
        if change is None or change.to_state != card.state:
            raise Refused("ROLLBACK_NOTHING_TO_UNDO", "该卡没有可回退的业务变更", rule=rule)
        if change.event not in policy_setting("reversible_events"):
            raise Refused("ROLLBACK_NOT_REVERSIBLE", "该卡最近一次变更不属于可回退的业务", rule=rule,
                          details={"last_event": change.event})
        days = policy_setting("rollback_window_days")
        if change.at < clock.now() - dt.timedelta(days=days):
            raise Refused("ROLLBACK_TOO_OLD", f"该卡最近一次变更已超过{days}天，不能回退", rule=rule,
                          details={"last_event": change.event, "rollback_window_days": days})
        if change.from_state in LIVE_STATES and card.state not in LIVE_STATES:
            other = live_card_of(it.applicant)
            if other is not None and other.pk != card.pk:
                raise Conflict("ROLLBACK_OTHER_LIVE_CARD", "该人员已有其他在用社保卡，不能恢复此卡", rule=rule)
            _refuse_open_production(it.applicant, Business.ROLLBACK)
        expiry = _temp_expiry() if change.from_state == CardState.LOST_TEMP else None
        card_apply_event(card=card, event=CardEvent.ROLLBACK, actor=actor, request=it.request,
                         data={"undone_event": change.event}, extra_fields={"temp_loss_expires_at": expiry})
        return it
