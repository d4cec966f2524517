"""Card-lifecycle businesses that take effect in one call: loss report and withdrawal, unlock, status query,
cancellation and rollback, and the shared intake they (and PIN / information change) go through.

Every business follows the same path (``business_intake``): the catalogue cell for the caller's channel and
the applicant role, the documents presented, the person they belong to, the person's card locked for the
transaction, the card state the catalogue allows, the evidence a window must keep, and the completed
``ServiceRequest`` record.  The card then moves only through ``card_apply_event`` (which logs and audits).
"""

import datetime as dt
from dataclasses import dataclass

from django.db import transaction

from sscard.audit.services import audit_record
from sscard.cards.choices import LIVE_STATES, CardEvent, CardState
from sscard.cards.models import Card
from sscard.cards.services import card_apply_event, card_lock, last_change
from sscard.core import clock
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Refused
from sscard.core.masking import mask_id_number
from sscard.desk.choices import RequestStatus
from sscard.desk.intake import (DocInput, EvidenceInput, EvidenceNeeds, applicant_role_for, evidence_check,
                                evidence_needs, evidence_store, outlet_of, person_find, request_new)
from sscard.desk.models import ServiceRequest
from sscard.policy.catalogue import Cell, get_catalogue, policy_setting
from sscard.policy.choices import Business, Channel
from sscard.policy.rules import Materials, check_card_state, check_materials, precheck_channel, resolve_cell


@dataclass
class Intake:
    """The checked parties of a business: cell, applicant, agent, the locked card, the unsaved record."""

    cell: Cell
    applicant: object
    agent: object | None
    card: Card | None
    outlet: object | None
    request: ServiceRequest | None
    needs: EvidenceNeeds
    evidence: EvidenceInput
    materials: dict


def _rule(business: str) -> str:
    cat = get_catalogue()
    return f"{cat.business(business).rule}（目录版本 {cat.version}）"


def _applicant_person(actor, business: str, applicant: DocInput | None):
    """The applicant: the app account's own person, or the person the presented document belongs to."""
    if actor.channel == Channel.APP:
        from sscard.people.models import Person

        person = Person.objects.get(pk=actor.person_id)
        if applicant is not None and person_find(applicant).pk != person.pk:
            raise Forbidden("APPLICANT_NOT_ACCOUNT_HOLDER", "APP只能为登录账户本人办理业务", rule=_rule(business))
        return person
    if applicant is None:
        raise InvalidInput("APPLICANT_DOC_MISSING", "缺少申办人身份凭证（证件类型和号码）", rule=_rule(business))
    return person_find(applicant)


def _agent_person(agent: DocInput, applicant):
    """The agent's person row when the agent is known to the system (not every agent holds a card)."""
    try:
        person = person_find(agent)
    except NotFound:
        if agent.doc_type == "ss_card":
            raise
        return None
    if person.pk == applicant.pk:
        raise Refused("AGENT_IS_APPLICANT", "代办人不能是申办人本人，请按本人办理")
    return person


def live_card_of(person) -> Card | None:
    return Card.objects.filter(person=person, state__in=list(LIVE_STATES)).order_by("-id").first()


def _lock_live_card(person, business: str) -> Card:
    """Lock the person's card in use.  Re-checked under the lock: a concurrent business may have ended the
    card between the read and the lock; the answer is then what a later request would get (the card that
    replaced it, or no card in use)."""
    for _ in range(3):
        found = live_card_of(person)
        if found is None:
            break
        card = card_lock(found.pk)
        if card.state in LIVE_STATES:
            return card
    else:
        raise Conflict("CARD_BUSY", "该卡正在办理其他业务，请稍后重试", rule=_rule(business))
    raise NotFound("CARD_NOT_FOUND", "该人员名下没有在用的社会保障卡", rule=_rule(business))


def business_intake(*, actor, business: str, applicant: DocInput | None, agent: DocInput | None = None,
                    evidence: EvidenceInput | None = None, need_card: bool = True, card: Card | None = None,
                    check_state: bool = True, payload: dict | None = None, record: bool = True) -> Intake:
    """Check a one-call business and build its record (saved, ``completed``); call inside a transaction.

    Rule: the catalogue cell for (business, caller's channel, role) must offer it; the documents must be
    the accepted ones; on the app the applicant is the account's own person; the card state must be one the
    catalogue lists; a window keeps the evidence the cell asks for.
    """
    precheck_channel(business, actor.channel, proxy=agent is not None)  # refuse a ruled-out cell before lookups
    person = _applicant_person(actor, business, applicant)
    role = applicant_role_for(birth_date=person.birth_date, has_agent=agent is not None)
    cell = resolve_cell(business, actor.channel, role)
    check_materials(cell, Materials(applicant_doc=applicant.doc_type if applicant else None,
                                    agent_doc=agent.doc_type if agent else None))
    if applicant is not None and applicant.doc_type == "ss_card" and need_card and card is None:
        presented = Card.objects.filter(card_no=applicant.number.strip().upper()).first()
        if presented is not None and presented.state not in LIVE_STATES:
            raise Refused("CARD_NOT_CURRENT", "所出示的社保卡已注销或已换卡，请出示现用卡或身份证",
                          rule=_rule(business))
    agent_person = _agent_person(agent, person) if agent is not None else None
    if card is None and need_card:
        card = _lock_live_card(person, business)
    elif card is not None:
        card = card_lock(card.pk)
    if card is not None and check_state:
        check_card_state(business, card.state, CardState(card.state).label)
    outlet = outlet_of(actor)
    needs = evidence_needs(cell, outlet=outlet, card=card)
    evidence = evidence or EvidenceInput()
    evidence_check(needs, evidence, cell)
    materials = {"applicant_doc": applicant.doc_type if applicant else "",
                 "agent_doc": agent.doc_type if agent else "", "evidence": cell.evidence}
    if agent is not None and agent_person is None:
        materials["agent_number_masked"] = mask_id_number(agent.number)
    it = Intake(cell=cell, applicant=person, agent=agent_person, card=card, outlet=outlet, request=None,
                needs=needs, evidence=evidence, materials=materials)
    if record:
        intake_save(it, actor=actor, payload=payload)
    return it


def intake_save(it: Intake, *, actor, payload: dict | None = None) -> ServiceRequest:
    """Save the completed record of a checked business and archive the evidence the window keeps."""
    req = request_new(actor=actor, business=it.cell.business, cell=it.cell, applicant=it.applicant,
                      agent=it.agent, card=it.card, status=RequestStatus.COMPLETED, materials=it.materials,
                      outlet=it.outlet, completed_at=clock.now(), payload=payload or {},
                      archive_mode=it.needs.archive, signature_mode=it.needs.signature)
    req.save()
    evidence_store(actor=actor, request=req, needs=it.needs, evidence=it.evidence)
    it.request = req
    return req


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
                               rule=_rule(Business.LOSS_REPORT))
            card_apply_event(card=card, event=CardEvent.REPORT_LOSS_TEMP, actor=actor, request=it.request,
                             extra_fields={"temp_loss_expires_at": _temp_expiry()})
        else:
            event = CardEvent.CONFIRM_LOSS if card.state == CardState.LOST_TEMP else CardEvent.REPORT_LOSS
            card_apply_event(card=card, event=event, actor=actor, request=it.request,
                             extra_fields={"temp_loss_expires_at": None})
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
    from sscard.desk.selectors import open_production_request

    open_req = open_production_request(person)
    if open_req is not None:
        raise Refused("OPEN_REQUEST_EXISTS", f"该人员有正在办理的制卡业务（{open_req.request_no}），请办结或作废后再办理",
                      rule=_rule(business), details={"request_no": open_req.request_no})


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
    rule = _rule(Business.ROLLBACK)
    with transaction.atomic():
        precheck_channel(Business.ROLLBACK, actor.channel, proxy=agent is not None)
        person = _applicant_person(actor, Business.ROLLBACK, applicant) if applicant else None
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


def card_status_query(*, actor, applicant: DocInput | None,
                      agent: DocInput | None = None) -> tuple[Intake, dict]:
    """应用状态查询 (window: by presented document, self or agent; app: the account's own cards).

    Returns the card states (label and AAZ502 code) and the progress of open production requests; no
    archive data.  A window query is recorded as a completed ``ServiceRequest``; nothing is archived.
    """
    from sscard.cards.selectors import card_status_of

    with transaction.atomic():
        it = business_intake(actor=actor, business=Business.STATUS_QUERY, applicant=applicant, agent=agent,
                             need_card=False, record=actor.channel == Channel.WINDOW)
        status = card_status_of(it.applicant)
        audit_record(event_type="CARD_STATUS_QUERIED", actor=actor, subject_type="person",
                     subject_id=it.applicant.pk, person_id=it.applicant.pk,
                     data={"request_no": it.request.request_no if it.request else "",
                           "cards": len(status["cards"])})
        return it, status


def card_lapse_due_losses(*, actor=None, now=None) -> int:
    """Sweep: temporary (12333) losses past ``temp_loss_expires_at`` lapse to the state before the loss.

    Each card in its own transaction, re-checked under the row lock, so running twice (or two sweepers
    at once) lapses each card once.  Audited per card (``CARD_TEMPORARY_LOSS_LAPSED``).  Returns the count.
    """
    from sscard.cards.selectors import temporary_losses_due
    from sscard.staff.actors import Actor

    actor = actor or Actor.system("sweep:lapse_temporary_losses")
    now = now or clock.now()
    done = 0
    for card_id in list(temporary_losses_due(now).values_list("id", flat=True)):
        with transaction.atomic():
            card = card_lock(card_id)
            if card.state != CardState.LOST_TEMP or card.temp_loss_expires_at is None \
                    or card.temp_loss_expires_at > now:
                continue
            card_apply_event(card=card, event=CardEvent.LAPSE_LOSS, actor=actor,
                             data={"expired_at": card.temp_loss_expires_at.isoformat()},
                             extra_fields={"temp_loss_expires_at": None})
            done += 1
    return done
