"""Production businesses: new card application (申领), reissue / replace / renew (补领/换领/换发),
activation (启用), and the card-making step.

Each business resolves its catalogue cell from the caller's channel and the applicant role (agent
presence + age), checks materials and evidence, then opens a ``ServiceRequest`` whose pending steps
(review, voucher, signature on paper, fee) the step machine (``sscard.desk.services``) clears.  When no
step is left, ``production_begin`` makes the card: instantly through the outlet's printer, or deferred
(24 h) when the outlet's issuance is down or the printer is unavailable, or centrally (app, 5 working
days).  A new card of the reissue family handed over on the spot ends the old card in the same
transaction and is active at once; one made ahead of its hand-over waits as ``produced`` while the old
card stays in use, and the swap happens at hand-over (``replacement_issue``).
"""

import secrets
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from sscard.audit.services import audit_record
from sscard.cards.choices import LIVE_STATES, CardState
from sscard.cards.models import Card
from sscard.cards.services import card_apply_event, card_lock, card_no_new
from sscard.core import clock
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Refused
from sscard.desk.choices import Delivery, ProductionMode, RequestEvent, RequestStatus, Step, STEP_STATUS
from sscard.desk.intake import (DocInput, EvidenceInput, applicant_role_for, evidence_check, evidence_needs,
                                evidence_store, new_number, outlet_of, person_find, request_new)
from sscard.desk.models import ServiceRequest
from sscard.desk.services import AUDIT, SUBJECT, request_save
from sscard.people.idnumbers import parse_identity
from sscard.policy.catalogue import policy_setting
from sscard.policy.choices import Business, Channel, DocType
from sscard.policy.rules import (Materials, check_card_state, check_materials, check_reason, is_minor_now,
                                 resolve_cell)

PRODUCTION_BUSINESSES = (Business.APPLY, Business.REISSUE, Business.REPLACE, Business.RENEW)
REISSUE_FAMILY = (Business.REISSUE, Business.REPLACE, Business.RENEW)
STEP_ORDER = (Step.REVIEW, Step.VOUCHER, Step.SIGNATURE, Step.FEE)


@dataclass
class PersonData:
    """Personal data of a new applicant (or an agent not yet known): only used to create the person."""

    doc_type: str
    number: str
    name: str = ""
    birth_date: object = None
    gender: str = ""
    ethnicity: str = ""
    nationality: str = "中国"
    phone: str = ""
    address: str = ""


@dataclass
class DeliveryChoice:
    method: str  # "post" | "pickup"
    address: str = ""
    pickup_outlet: str = ""  # outlet code


def person_find_or_create(data: PersonData, *, who: str, actor):
    """The person the number belongs to, created from ``data`` when unknown (15-digit IDs upgraded)."""
    from sscard.core.crypto import lookup_hash
    from sscard.people.models import Person

    if data.doc_type == DocType.SS_CARD:
        return person_find(DocInput(data.doc_type, data.number))
    ident = parse_identity(data.doc_type, data.number, today=clock.today())
    person = Person.objects.filter(id_hash=lookup_hash(ident.number, purpose="id")).first()
    if person is not None:
        return person
    birth = ident.birth_date or data.birth_date
    if birth is None:
        raise InvalidInput("BIRTH_DATE_REQUIRED", f"{who}证件号码不含出生日期，请填写出生日期")
    if ident.birth_date and data.birth_date and ident.birth_date != data.birth_date:
        raise InvalidInput("BIRTH_DATE_MISMATCH", f"{who}出生日期与证件号码不一致")
    if birth > clock.today():
        raise InvalidInput("BIRTH_DATE_INVALID", f"{who}出生日期晚于今天")
    name = (data.name or "").strip()
    if not name:
        raise InvalidInput("NAME_REQUIRED", f"请填写{who}姓名")
    now = clock.now()
    person = Person(name=name[:100], id_type=data.doc_type, birth_date=birth,
                    gender=ident.gender or (data.gender if data.gender in ("M", "F") else ""),
                    ethnicity=(data.ethnicity or "")[:20], nationality=(data.nationality or "中国")[:40],
                    address=data.address or "", created_at=now, updated_at=now)
    person.set_id_number(ident.number)
    person.set_phone((data.phone or "").strip())
    try:
        with transaction.atomic():  # savepoint: a lost race leaves the outer transaction usable
            person.save(force_insert=True)
    except IntegrityError:
        # Another request created the same person at this moment; our insert waited for it to commit.
        person = Person.objects.filter(id_hash=person.id_hash).first()
        if person is None:
            raise Conflict("PERSON_BEING_CREATED", f"{who}信息正在由另一笔业务登记，请稍后重试") from None
        return person
    audit_record(event_type="PERSON_CREATED", actor=actor, subject_type="person",
                 subject_id=person.pk, person_id=person.pk,
                 after={"id_type": person.id_type, "id_number": person.masked_id_number,
                        "birth_date": person.birth_date, "has_phone": bool(person.phone),
                        "has_address": bool(person.address)},
                 data={"upgraded_from_15": bool(ident.upgraded_from), "as": who})
    return person


def _agent_person(agent: PersonData | None, *, actor):
    if agent is None:
        return None
    person = person_find_or_create(agent, who="代办人", actor=actor)
    if is_minor_now(person.birth_date):
        raise Refused("AGENT_IS_MINOR", "代办人须为成年人")
    return person


def _lock_person(person):
    from sscard.people.models import Person

    return Person.objects.select_for_update().get(pk=person.pk)


def _has_pending(person) -> bool:
    from sscard.desk.selectors import open_production_request

    return open_production_request(person) is not None


def _refuse_pending(person) -> None:
    if _has_pending(person):
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


def _open(*, actor, business, cell, applicant, agent, card, materials: Materials, evidence: EvidenceInput,
          fee_fen: int, **fields) -> ServiceRequest:
    """Check evidence, save the request with its pending steps, archive, start production if clear."""
    outlet = outlet_of(actor)
    needs = evidence_needs(cell, outlet=outlet, card=card)
    evidence_check(needs, evidence, cell)
    steps = _steps(cell, needs, fee_fen)
    req = request_new(actor=actor, business=business, cell=cell, applicant=applicant, agent=agent, card=card,
                      status=STEP_STATUS[Step(steps[0])] if steps else RequestStatus.IN_PRODUCTION,
                      materials={"applicant_doc": materials.applicant_doc, "agent_doc": materials.agent_doc,
                                 "photo": materials.photo},
                      outlet=outlet, pending_steps=steps, signature_mode=needs.signature,
                      archive_mode=needs.archive, fee_amount_fen=fee_fen,
                      voucher_no=new_number("PZ") if Step.VOUCHER in steps else None, **fields)
    try:
        with transaction.atomic():  # savepoint: keep the outer transaction usable after a lost race
            req.save(force_insert=True)
    except IntegrityError:
        if not _has_pending(applicant):
            raise
        # The DB constraint one_open_production_request_per_person caught a concurrent submission.
        raise Conflict("APPLICATION_PENDING", "该人员已有正在办理中的制卡业务，请等待办结或作废后再申请") from None
    evidence_store(actor=actor, request=req, needs=needs, evidence=evidence)
    if not steps:
        req.status = production_begin(actor=actor, request=req, photo=evidence.photo)
        if req.status == RequestStatus.COMPLETED:
            req.completed_at = clock.now()
        request_save(req)
    audit_record(event_type=AUDIT[RequestEvent.SUBMIT], actor=actor, subject_type=SUBJECT,
                 subject_id=req.request_no, person_id=applicant.pk,
                 after={"status": req.status, "pending_steps": steps, "production_mode": req.production_mode},
                 data={"business": business, "channel": cell.channel, "role": cell.role,
                       "fee_amount_fen": fee_fen, "voucher_no": req.voucher_no or ""})
    return req


def _delivery_fields(actor, delivery: DeliveryChoice | None, applicant) -> dict:
    from sscard.staff.models import Outlet

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
    from sscard.fees.selectors import fee_quote

    evidence = evidence or EvidenceInput()
    with transaction.atomic():
        agent_person = _agent_person(agent, actor=actor)
        person = person_find_or_create(applicant, who="申办人", actor=actor)
        if actor.channel == Channel.APP:
            owner = agent_person if agent_person is not None else person
            if owner.pk != actor.person_id:
                raise Forbidden("APP_ACCOUNT_MISMATCH", "APP只能为本人申领，或以本人身份为未成年人代办")
        if agent_person is not None and agent_person.pk == person.pk:
            raise InvalidInput("AGENT_IS_APPLICANT", "代办人不能是申办人本人")
        role = applicant_role_for(birth_date=person.birth_date, has_agent=agent_person is not None)
        cell = resolve_cell(Business.APPLY, actor.channel, role)
        # The presented documents are the materials: nothing the caller declares besides them counts.
        mats = Materials(applicant_doc=applicant.doc_type, agent_doc=agent.doc_type if agent else None,
                         photo=evidence.photo is not None)
        check_materials(cell, mats)
        person = _lock_person(person)
        if Card.objects.filter(person=person, state__in=LIVE_STATES).exists():
            raise Refused("CARD_ALREADY_HELD", "该人员已持有社保卡，请办理补领、换领或换发")
        _refuse_pending(person)
        fields = _delivery_fields(actor, delivery, person)
        # First application is free by the fee schedule (row apply/any reason = 0), not by code.
        quote = fee_quote(business=Business.APPLY, reason="", fee_exempt=person.fee_exempt)
        return _open(actor=actor, business=Business.APPLY, cell=cell, applicant=person, agent=agent_person,
                     card=None, materials=mats, evidence=evidence, fee_fen=quote.amount_fen, **fields)


def card_reissue(*, actor, business: str, applicant: DocInput, reason: str, agent: PersonData | None = None,
                 photo_changed: bool = False, evidence: EvidenceInput | None = None) -> ServiceRequest:
    """补领 / 换领 / 换发: the holder of a live card (identified by the presented document) gets a new one.

    The reason must be one the catalogue lists for the business; a changed photo must come with the
    business; the fee (``fee_quote``) becomes a step settled at a window before production.  A presented
    social security card must be the card in use (checked under the person lock, so two windows presenting
    one card at once replace it once).
    """
    from sscard.fees.selectors import fee_quote

    if business not in REISSUE_FAMILY:
        raise InvalidInput("BUSINESS_UNKNOWN", "业务类型不正确")
    evidence = evidence or EvidenceInput()
    check_reason(business, reason)
    with transaction.atomic():
        agent_person = _agent_person(agent, actor=actor)
        if applicant.doc_type != DocType.SS_CARD:
            parse_identity(applicant.doc_type, applicant.number, today=clock.today())
        person = _lock_person(person_find(applicant))
        role = applicant_role_for(birth_date=person.birth_date, has_agent=agent_person is not None)
        cell = resolve_cell(business, actor.channel, role)
        mats = Materials(applicant_doc=applicant.doc_type, agent_doc=agent.doc_type if agent else None,
                         photo=evidence.photo is not None, photo_changed=bool(photo_changed))
        check_materials(cell, mats)
        card = Card.objects.filter(person=person, state__in=LIVE_STATES).first()
        if card is None:
            raise Refused("NO_LIVE_CARD", "该人员没有可补换的社保卡，请办理社保卡申领")
        if applicant.doc_type == DocType.SS_CARD and card.card_no != applicant.number.strip().upper():
            # Read under the person lock: the presented card was replaced (perhaps a moment ago, at another window).
            raise Refused("CARD_NOT_CURRENT", "所出示的社保卡已注销或已换卡，请出示现用卡或身份证")
        check_card_state(business, card.state, CardState(card.state).label)
        _refuse_pending(person)
        quote = fee_quote(business=business, reason=reason, fee_exempt=person.fee_exempt)
        return _open(actor=actor, business=business, cell=cell, applicant=person, agent=agent_person, card=card,
                     materials=mats, evidence=evidence, fee_fen=quote.amount_fen, reason=reason,
                     photo_changed=bool(photo_changed), delivery=Delivery.COUNTER)


def card_activate(*, actor, applicant: DocInput | None = None, agent: PersonData | None = None,
                  evidence: EvidenceInput | None = None) -> ServiceRequest:
    """启用（激活）: a made card becomes active.  At a window an app-applied card needs archived evidence
    (catalogue ``archive_when``); a window-made card needs none.  In the app the account's own card."""
    evidence = evidence or EvidenceInput()
    with transaction.atomic():
        agent_person = _agent_person(agent, actor=actor)
        if actor.channel == Channel.APP:
            from sscard.people.models import Person

            person = Person.objects.get(pk=actor.person_id)
        else:
            if applicant is None:
                raise InvalidInput("APPLICANT_REQUIRED", "请出示申办人身份凭证")
            person = person_find(applicant)
        role = applicant_role_for(birth_date=person.birth_date, has_agent=agent_person is not None)
        cell = resolve_cell(Business.ACTIVATE, actor.channel, role)
        check_materials(cell, Materials(applicant_doc=applicant.doc_type if applicant else None,
                                        agent_doc=agent.doc_type if agent else None))
        found = Card.objects.filter(person=person, state__in=LIVE_STATES).first()
        if found is None:
            raise NotFound("CARD_NOT_FOUND", "该人员没有可启用的社保卡")
        card = card_lock(found.pk)
        check_card_state(Business.ACTIVATE, card.state, CardState(card.state).label)
        if card.issued_at is None:
            raise Refused("CARD_NOT_HANDED_OVER", "社保卡尚未领取，不能启用")
        outlet = outlet_of(actor)
        needs = evidence_needs(cell, outlet=outlet, card=card)
        evidence_check(needs, evidence, cell)
        req = request_new(actor=actor, business=Business.ACTIVATE, cell=cell, applicant=person, agent=agent_person,
                          card=card, status=RequestStatus.COMPLETED, outlet=outlet,
                          materials={"applicant_doc": applicant.doc_type if applicant else None,
                                     "agent_doc": agent.doc_type if agent else None},
                          archive_mode=needs.archive, completed_at=clock.now())
        req.save(force_insert=True)
        evidence_store(actor=actor, request=req, needs=needs, evidence=evidence)
        card_apply_event(card=card, event="activate", actor=actor, request=req,
                         extra_fields={"activated_at": clock.now()})
        audit_record(event_type="REQUEST_COMPLETED", actor=actor, subject_type=SUBJECT, subject_id=req.request_no,
                     person_id=person.pk, after={"status": req.status},
                     data={"business": Business.ACTIVATE, "card_no": card.card_no, "archive": needs.archive})
        return req


# ---------------------------------------------------------------- the card-making step


def _request_photo(request: ServiceRequest, photo: bytes | None) -> bytes | None:
    """The photo to print: the one that came with this business, else the one archived with it."""
    if photo is not None:
        return photo
    from sscard.archive.selectors import archive_item_content, archive_items_for
    from sscard.core.errors import DomainError

    item = archive_items_for("service_request", request.request_no).filter(kind="photo").last()
    if item is None and not request.photo_changed:
        item = _earlier_photo(request)
    if item is None:
        return None
    try:
        return archive_item_content(item)
    except DomainError:
        return None  # the file is not (yet) on storage: print without it rather than block issuance


def _earlier_photo(request: ServiceRequest):
    """The applicant's latest photo archived with an earlier business (photo unchanged: reuse it)."""
    from sscard.archive.models import ArchiveItem

    return (ArchiveItem.objects.filter(kind="photo", person_id=request.applicant_id, subject_type="service_request")
            .exclude(subject_id=request.request_no).order_by("created_at", "id").last())


def _print_card(outlet, card_no: str, request: ServiceRequest, photo: bytes | None = None) -> str:
    """Personalise the card on the outlet's issuance printer; returns the chip identification code.

    Raises ``DeviceUnavailable`` when the printer (or its network) fails.
    """
    from sscard.hardware.drivers import get_issuance_printer

    result = get_issuance_printer().print_card(f"outlet:{outlet.code}", card_no=card_no,
                                               holder_name=request.applicant.name,
                                               photo_jpeg=_request_photo(request, photo))
    return result.identification_code


def card_make(*, actor, request: ServiceRequest, identification_code: str, card_no: str,
              issued_outlet=None) -> Card:
    """Create the new card of ``request``.

    First card (apply): ``made``; it is activated by the activation business.  Reissue family handed
    over now (instant issuance): the old card ends and the new one is active at once, in one transaction.
    Reissue family made ahead of its hand-over (deferred or central): the new card is ``produced`` (not
    live) and the old card stays in use until ``replacement_issue`` at hand-over.
    """
    now = clock.now()
    old = None
    handed_over = issued_outlet is not None
    replacement = request.business in REISSUE_FAMILY
    if replacement:
        old = _old_card_for(request)
        if handed_over:
            card_apply_event(card=old, event="replace", actor=actor, request=request, data={"new_card_no": card_no})
    elif Card.objects.select_for_update().filter(person_id=request.applicant_id, state__in=LIVE_STATES).exists():
        raise Conflict("CARD_ALREADY_HELD", "该人员已持有社保卡，不能重复制卡")
    state = CardState.MADE
    if replacement:
        state = CardState.ACTIVE if handed_over else CardState.PRODUCED
    card = Card.objects.create(
        card_no=card_no, identification_code=identification_code, person_id=request.applicant_id,
        state=state, state_changed_at=now, origin_channel=request.channel, origin_request=request, made_at=now,
        issued_at=now if handed_over else None, issued_outlet=issued_outlet,
        activated_at=now if state == CardState.ACTIVE else None,
    )
    if old is not None and handed_over:
        old.replaced_by = card
        old.save(update_fields=["replaced_by"])
    request.new_card = card
    audit_record(event_type="CARD_MADE", actor=actor, subject_type="card", subject_id=card.card_no,
                 person_id=card.person_id, after={"state": card.state},
                 data={"request_no": request.request_no, "production_mode": request.production_mode,
                       "replaces": old.card_no if old else "", "issued": handed_over})
    if handed_over:  # made and handed over at the window in one go: the hand-over is its own card event
        audit_record(event_type="CARD_HANDED_OVER", actor=actor, subject_type="card", subject_id=card.card_no,
                     person_id=card.person_id, after={"issued": True},
                     data={"request_no": request.request_no, "outlet_id": issued_outlet.pk,
                           "outlet_code": issued_outlet.code, "delivery": request.delivery})
    return card


def _old_card_for(request: ServiceRequest) -> Card:
    old = card_lock(request.card_id)
    # Any live state will do: a loss report or PIN lock on the old card while the new one is being made
    # is normal; the business's card-state rule was checked when it was accepted.
    if old.state not in LIVE_STATES:
        raise Conflict("OLD_CARD_ENDED", "原社保卡已注销或已换卡，本次补换卡不能继续，请作废后重新办理")
    return old


def replacement_issue(*, actor, request: ServiceRequest, card: Card) -> None:
    """Hand-over of a replacement made ahead of time: the old card ends, the new one becomes active."""
    if card.state != CardState.PRODUCED:
        return
    old = _old_card_for(request)
    card_apply_event(card=old, event="replace", actor=actor, request=request, data={"new_card_no": card.card_no})
    old.replaced_by = card
    old.save(update_fields=["replaced_by"])
    card_apply_event(card=card, event="issue", actor=actor, request=request,
                     extra_fields={"activated_at": clock.now()})


def production_begin(*, actor, request: ServiceRequest, photo: bytes | None = None) -> str:
    """Steps are clear: make the card now, or schedule it.  Returns the request's next status.

    App: central production due in ``app_production_working_days`` working days from submission.
    Window/kiosk: instant issuance at the outlet when its issuance is working and the printer answers
    (card made and handed over: completed); otherwise deferred, due in ``instant_fallback_hours``.
    """
    from sscard.hardware.interfaces import DeviceUnavailable
    from sscard.workdays.selectors import add_hours, add_working_days

    if request.channel == Channel.APP:
        due = add_working_days(request.created_at, int(policy_setting("app_production_working_days")))
        request.production_mode = ProductionMode.CENTRAL
        request.due_at, request.due_provisional = due.due_at, due.provisional
        return RequestStatus.IN_PRODUCTION
    outlet = request.outlet
    if outlet is not None and outlet.issuance_status == "working":
        card_no = card_no_new()
        try:
            code = _print_card(outlet, card_no, request, photo)
        except DeviceUnavailable:
            pass
        else:
            request.production_mode = ProductionMode.INSTANT
            request.delivery = Delivery.COUNTER
            card_make(actor=actor, request=request, identification_code=code, card_no=card_no, issued_outlet=outlet)
            return RequestStatus.COMPLETED
    request.production_mode = ProductionMode.DEFERRED
    request.due_at = add_hours(clock.now(), int(policy_setting("instant_fallback_hours")))
    return RequestStatus.IN_PRODUCTION


def production_finish(*, actor, request: ServiceRequest, hand_over: bool) -> Card:
    """Finish deferred (printer must work now) or central production; ``hand_over`` issues at once."""
    from sscard.hardware.interfaces import DeviceUnavailable

    card_no = card_no_new()
    if request.production_mode == ProductionMode.CENTRAL:
        from sscard.hardware.drivers import get_card_terminal

        # The card vendor writes the chip: an initial PIN nobody knows (the holder resets it at a window
        # or kiosk), so PIN businesses work on a centrally made card like on any other.
        try:
            get_card_terminal().personalise(card_no)
        except DeviceUnavailable:
            raise Conflict("ISSUANCE_UNAVAILABLE", "制卡设备暂不可用，请稍后重试") from None
        return card_make(actor=actor, request=request, identification_code=secrets.token_hex(16).upper(),
                         card_no=card_no)
    outlet = request.outlet
    if outlet is None or outlet.issuance_status != "working":
        raise Conflict("ISSUANCE_UNAVAILABLE", "本网点制卡设备或网络故障，暂不能制卡")
    try:
        code = _print_card(outlet, card_no, request)
    except DeviceUnavailable:
        raise Conflict("ISSUANCE_UNAVAILABLE", "制卡设备暂不可用，请稍后重试") from None
    return card_make(actor=actor, request=request, identification_code=code, card_no=card_no,
                     issued_outlet=outlet if hand_over else None)
