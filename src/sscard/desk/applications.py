"""Production businesses: new card application (申领), reissue / replace / renew (补领/换领/换发), and
activation (启用).

Each goes through the one intake (``desk.intake.business_intake``), then opens a ``ServiceRequest``
whose pending steps (review, voucher, signature on paper, fee) the step machine (``desk.services``)
clears.  When no step is left, ``desk.production.production_begin`` makes the card: instantly through
the outlet's printer, deferred (24 h) when the outlet's issuance is down, or centrally (app, 5 working
days).
"""

from dataclasses import dataclass

from django.db import IntegrityError, transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_deferred, audit_record
from sscard.cards.choices import LIVE_STATES, CardEvent
from sscard.cards.models import Card
from sscard.cards.services import card_apply_event
from sscard.core import clock
from sscard.core.errors import Conflict, InvalidInput, NotFound, Refused
from sscard.desk.choices import STEP_STATUS, Delivery, RequestEvent, RequestStatus, Step
from sscard.desk.intake import (
    DocInput,
    EvidenceInput,
    Intake,
    PersonData,
    business_intake,
    evidence_store,
    new_number,
    request_new,
)
from sscard.desk.models import ServiceRequest
from sscard.desk.production import production_begin
from sscard.desk.selectors import open_production_request
from sscard.desk.services import AUDIT, SUBJECT, request_save
from sscard.fees.selectors import fee_quote
from sscard.policy.catalogue import get_catalogue
from sscard.policy.choices import Business, Channel
from sscard.policy.rules import check_reason, cite_business
from sscard.staff.models import Outlet

REISSUE_FAMILY = (Business.REISSUE, Business.REPLACE, Business.RENEW)
STEP_ORDER = (Step.REVIEW, Step.VOUCHER, Step.SIGNATURE, Step.FEE)


@dataclass
class DeliveryChoice:
    method: str  # "post" | "pickup"
    address: str = ""
    pickup_outlet: str = ""  # outlet code


def _refuse_pending(person) -> None:
    if open_production_request(person) is not None:
        raise Refused("APPLICATION_PENDING", "该人员已有正在办理中的制卡业务，请等待办结或作废后再申请")


def _steps(cell, needs, fee_fen: int) -> list[str]:
    wanted = set(cell.steps)
    if needs.signature == "paper":
        wanted.add(Step.SIGNATURE)
    # The fee schedule decides whether money is owed; a fee owed is always settled (paid or offset at a
    # window) before production, even where the catalogue lists no fee step (a first application is free
    # by the schedule, not by code).
    if fee_fen > 0:
        wanted.add(Step.FEE)
    else:
        wanted.discard(Step.FEE)
    return [str(s) for s in STEP_ORDER if s in wanted]


def _open(*, actor, business: str, it: Intake, fee_fen: int, photo_changed: bool = False,
          **fields) -> ServiceRequest:
    """Save the request with its pending steps, archive, start production if no step is left."""
    steps = _steps(it.cell, it.needs, fee_fen)
    evidence = it.evidence
    req = request_new(actor=actor, business=business, cell=it.cell, applicant=it.applicant, agent=it.agent,
                      card=it.card, status=STEP_STATUS[Step(steps[0])] if steps else RequestStatus.IN_PRODUCTION,
                      materials={"applicant_doc": it.materials["applicant_doc"] or None,
                                 "agent_doc": it.materials["agent_doc"] or None, "photo": evidence.photo is not None},
                      outlet=it.outlet, pending_steps=steps, signature_mode=it.needs.signature,
                      archive_mode=it.needs.archive, fee_amount_fen=fee_fen, photo_changed=photo_changed,
                      voucher_no=new_number("PZ") if Step.VOUCHER in steps else None, **fields)
    if it.applicant_new:  # nobody else can open a business for a person only this transaction sees
        req.save(force_insert=True)
    else:
        try:
            with transaction.atomic():  # savepoint: keep the outer transaction usable after a lost race
                req.save(force_insert=True)
        except IntegrityError:
            if open_production_request(it.applicant) is None:
                raise
            # The DB constraint one_open_production_request_per_person caught a concurrent submission.
            raise Conflict("APPLICATION_PENDING", "该人员已有正在办理中的制卡业务，请等待办结或作废后再申请") from None
    evidence_store(actor=actor, request=req, needs=it.needs, evidence=evidence)
    if not steps:
        req.status = production_begin(actor=actor, request=req, photo=evidence.photo)
        if req.status == RequestStatus.COMPLETED:
            req.completed_at = clock.now()
        request_save(req)
    audit_record(event_type=AUDIT[RequestEvent.SUBMIT], actor=actor, subject_type=SUBJECT,
                 subject_id=req.request_no, person_id=it.applicant.pk,
                 after={"status": req.status, "pending_steps": steps, "production_mode": req.production_mode},
                 data={"business": business, "channel": it.cell.channel, "role": it.cell.role,
                       "fee_amount_fen": fee_fen, "voucher_no": req.voucher_no or ""})
    return req


def _delivery_fields(actor, delivery: DeliveryChoice | None, applicant) -> dict:
    if actor.channel != Channel.APP:
        return {"delivery": Delivery.COUNTER}
    if delivery is None or delivery.method not in (Delivery.POST, Delivery.PICKUP):
        raise InvalidInput("DELIVERY_REQUIRED", "请选择领卡方式：邮寄到家（post）或网点自取（pickup）")
    if delivery.method == Delivery.POST:
        address = (delivery.address or "").strip() or applicant.address
        if not address or len(address) < 5:
            raise InvalidInput("DELIVERY_ADDRESS_REQUIRED", "选择邮寄到家时须填写邮寄地址")
        return {"delivery": Delivery.POST, "delivery_address": address[:200]}
    outlet = Outlet.objects.filter(code=(delivery.pickup_outlet or "").strip(), is_active=True).first()
    if outlet is None:
        raise InvalidInput("PICKUP_OUTLET_UNKNOWN", "未找到所选的领卡网点")
    if not outlet.accepts_pickup:
        raise Refused("PICKUP_OUTLET_NOT_ACCEPTING", "所选网点不提供社保卡领取服务，请另选网点")
    return {"delivery": Delivery.PICKUP, "pickup_outlet": outlet}


def card_apply(*, actor, applicant: PersonData, agent: PersonData | None = None,
               evidence: EvidenceInput | None = None, delivery: DeliveryChoice | None = None) -> ServiceRequest:
    """社保卡申领: a person without a live card and without an open production business applies.

    App: the account holder applies for self (the number must be the account's) or, as agent, for a
    minor; an adult by agent is refused by the catalogue.  Returns the new request.
    """
    fields = {}

    def refuse(it: Intake) -> None:
        if not it.applicant_new:  # a person registered by this transaction holds nothing yet
            # the catalogue's rule (``requires_no_card``): 申领 is for a person with no card in use
            if (get_catalogue().business(Business.APPLY).requires_no_card
                    and Card.objects.filter(person=it.applicant, state__in=LIVE_STATES).exists()):
                raise Refused("CARD_ALREADY_HELD", "该人员已持有社保卡，请办理补领、换领或换发",
                              rule=cite_business(Business.APPLY))
            _refuse_pending(it.applicant)
        fields.update(_delivery_fields(actor, delivery, it.applicant))

    with transaction.atomic(), audit_deferred():  # its events reach the chain after the printer is done
        it = business_intake(actor=actor, business=Business.APPLY, applicant=applicant, agent=agent,
                             evidence=evidence, need_card=False, lock_person=True, refuse=refuse, record=False)
        # First application is free by the fee schedule (row apply/any reason = 0), not by code.
        quote = fee_quote(business=Business.APPLY, reason="", fee_exempt=it.applicant.fee_exempt)
        return _open(actor=actor, business=Business.APPLY, it=it, fee_fen=quote.amount_fen, **fields)


def _card_to_replace(applicant: DocInput):
    def card_of(person) -> Card:
        card = Card.objects.filter(person=person, state__in=LIVE_STATES).first()
        if card is None:
            raise Refused("NO_LIVE_CARD", "该人员没有可补换的社保卡，请办理社保卡申领")
        if applicant.doc_type == "ss_card" and card.card_no != applicant.number.strip().upper():
            # Read under the person lock: the presented card was replaced (perhaps a moment ago, at another window).
            raise Refused("CARD_NOT_CURRENT", "所出示的社保卡已注销或已换卡，请出示现用卡或身份证")
        return card

    return card_of


def card_reissue(*, actor, business: str, applicant: DocInput, reason: str, agent: PersonData | None = None,
                 photo_changed: bool = False, evidence: EvidenceInput | None = None) -> ServiceRequest:
    """补领 / 换领 / 换发: the holder of a live card (identified by the presented document) gets a new one.

    The reason must be one the catalogue lists for the business; a changed photo must come with the
    business; the fee (``fee_quote``) becomes a step settled at a window before production.  A presented
    social security card must be the card in use (checked under the person lock, so two windows presenting
    one card at once replace it once).
    """
    if business not in REISSUE_FAMILY:
        raise InvalidInput("BUSINESS_UNKNOWN", "业务类型不正确")
    check_reason(business, reason)
    with transaction.atomic(), audit_deferred():  # its events reach the chain after the printer is done
        it = business_intake(actor=actor, business=business, applicant=applicant, agent=agent, evidence=evidence,
                             card_of=_card_to_replace(applicant), photo_changed=bool(photo_changed),
                             lock_person=True, refuse=lambda it: _refuse_pending(it.applicant), record=False)
        quote = fee_quote(business=business, reason=reason, fee_exempt=it.applicant.fee_exempt)
        return _open(actor=actor, business=business, it=it, fee_fen=quote.amount_fen, reason=reason,
                     photo_changed=bool(photo_changed), delivery=Delivery.COUNTER)


def _card_to_activate(person) -> Card:
    found = Card.objects.filter(person=person, state__in=LIVE_STATES).first()
    if found is None:
        raise NotFound("CARD_NOT_FOUND", "该人员没有可启用的社保卡")
    return found


def _refuse_not_handed_over(it: Intake) -> None:
    if it.card.issued_at is None:
        raise Refused("CARD_NOT_HANDED_OVER", "社保卡尚未领取，不能启用")


def card_activate(*, actor, applicant: DocInput | None = None, agent: PersonData | None = None,
                  evidence: EvidenceInput | None = None) -> ServiceRequest:
    """启用（激活）: a made card becomes active.  At a window an app-applied card needs archived evidence
    (catalogue ``archive_when``); a window-made card needs none.  In the app the account's own card."""
    with transaction.atomic():
        it = business_intake(actor=actor, business=Business.ACTIVATE, applicant=applicant, agent=agent,
                             evidence=evidence, card_of=_card_to_activate, refuse=_refuse_not_handed_over,
                             record=False)
        req = request_new(actor=actor, business=Business.ACTIVATE, cell=it.cell, applicant=it.applicant,
                          agent=it.agent, card=it.card, status=RequestStatus.COMPLETED, outlet=it.outlet,
                          materials={"applicant_doc": it.materials["applicant_doc"] or None,
                                     "agent_doc": it.materials["agent_doc"] or None},
                          archive_mode=it.needs.archive, completed_at=clock.now())
        req.save(force_insert=True)
        evidence_store(actor=actor, request=req, needs=it.needs, evidence=it.evidence)
        card_apply_event(card=it.card, event=CardEvent.ACTIVATE, actor=actor, request=req,
                         extra_fields={"activated_at": clock.now()})
        audit_record(event_type=AuditEventType.REQUEST_COMPLETED, actor=actor, subject_type=SUBJECT, subject_id=req.request_no,
                     person_id=it.applicant.pk, after={"status": req.status},
                     data={"business": Business.ACTIVATE, "card_no": it.card.card_no, "archive": it.needs.archive})
        return req
