"""The step machine of production businesses (apply, reissue, replace, renew).

A request clears its pending steps in order (review -> voucher -> signature -> fee), then goes to
production (``sscard.desk.production.production_begin``), then to hand-over or post.  Every move is
checked against ``desk.rules.TRANSITIONS`` inside the row lock and audited as ``REQUEST_<EVENT>``; an
event the table does not list for the current status is refused with 409 and changes nothing.

Who may act is checked here as well as in the API, both reading the access table
(``sscard.staff.permissions``): a window step belongs to a clerk of the outlet that holds the request,
central production / post to the back office (supervisor, admin) or the system.
"""

from django.db import transaction
from django.utils import timezone

from sscard.archive.services import archive_record_paper
from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_deferred, audit_record
from sscard.cards.choices import LIVE_STATES, CardState
from sscard.cards.services import card_hand_over, card_issue_replacement, card_lock
from sscard.core import clock
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Refused
from sscard.desk.choices import (
    STEP_STATUS,
    Delivery,
    ProductionMode,
    RequestEvent,
    RequestStatus,
    ReviewItem,
    Step,
)
from sscard.desk.intake import EvidenceInput, EvidenceNeeds, evidence_check, evidence_store, outlet_of
from sscard.desk.models import ServiceRequest
from sscard.desk.production import production_begin, production_finish
from sscard.desk.rules import TRANSITIONS, allowed, claim_is_live
from sscard.fees.services import payment_record
from sscard.notify.choices import MessageKind, Recipient
from sscard.notify.services import notify_enqueue
from sscard.policy.catalogue import get_catalogue, policy_setting
from sscard.policy.choices import Business, DocType
from sscard.staff.permissions import outlet_bound, require

SUBJECT = "service_request"
AUDIT = {
    RequestEvent.SUBMIT: AuditEventType.REQUEST_SUBMITTED,
    RequestEvent.APPROVE: AuditEventType.REQUEST_APPROVED,
    RequestEvent.REJECT: AuditEventType.REQUEST_REJECTED,
    RequestEvent.PRESENT_VOUCHER: AuditEventType.REQUEST_VOUCHER_PRESENTED,
    RequestEvent.RECORD_SIGNED_FORM: AuditEventType.REQUEST_SIGNED_FORM_RECORDED,
    RequestEvent.SETTLE_FEE: AuditEventType.REQUEST_FEE_SETTLED,
    RequestEvent.FINISH_PRODUCTION: AuditEventType.REQUEST_PRODUCTION_FINISHED,
    RequestEvent.DISPATCH: AuditEventType.REQUEST_DISPATCHED,
    RequestEvent.HAND_OVER: AuditEventType.REQUEST_HANDED_OVER,
    RequestEvent.DELIVER: AuditEventType.REQUEST_DELIVERED,
    RequestEvent.VOID: AuditEventType.REQUEST_VOIDED,
}
# Fields the step machine and the card-making step may change on a request.
CHANGEABLE = ["status", "pending_steps", "updated_at", "completed_at", "production_mode", "due_at",
              "due_provisional", "delivery", "tracking_no", "payment", "review_note", "outlet", "new_card",
              "payload", "review_claimed_by", "review_claimed_at", "review_claim_expires_at", "rejection"]


def unissuable_card_states() -> frozenset[str]:
    """States in which a made card is never handed over or posted (seed: no issuance on a lost card).

    Reported lost: the states the catalogue offers 解挂 from (``loss_withdraw.card_states``).  Ended: every
    card state that is not live, except ``produced`` (a replacement waiting for exactly this hand-over).
    """
    lost = set(get_catalogue().business(Business.LOSS_WITHDRAW).card_states)
    ended = {s for s in CardState.values if s not in LIVE_STATES and s != CardState.PRODUCED}
    return frozenset(lost | ended)


def request_lock(request_no: str) -> ServiceRequest:
    """Lock the request row for the rest of the transaction."""
    req = ServiceRequest.objects.select_for_update().filter(request_no=str(request_no)[:24]).first()
    if req is None:
        raise NotFound("REQUEST_NOT_FOUND", "未找到该业务")
    return req


def _check_event(req: ServiceRequest, event: str) -> None:
    if (req.status, event) not in TRANSITIONS:
        raise Conflict("REQUEST_STATE_CONFLICT",
                       f"业务当前状态为“{RequestStatus(req.status).label}”，不能执行“{RequestEvent(event).label}”",
                       details={"status": req.status, "event": event})


def request_save(req: ServiceRequest) -> None:
    req.updated_at = clock.now()
    req.save(update_fields=CHANGEABLE)


def request_move(*, actor, request: ServiceRequest, event: str, target: str, data: dict | None = None) -> None:
    """Move ``request`` to ``target`` through ``event`` if the table allows it; save and audit."""
    if not allowed(request.status, event, target):
        raise Conflict("REQUEST_STATE_CONFLICT",
                       f"业务当前状态为“{RequestStatus(request.status).label}”，不能转为“{RequestStatus(target).label}”",
                       details={"status": request.status, "event": event, "target": target})
    before = request.status
    request.status = target
    if before == RequestStatus.PENDING_REVIEW and target != before:
        claim_clear(request)  # decided or voided: nobody is reviewing it any more
    if target == RequestStatus.COMPLETED:
        request.completed_at = clock.now()
    request_save(request)
    audit_record(event_type=AUDIT[event], actor=actor, subject_type=SUBJECT, subject_id=request.request_no,
                 person_id=request.applicant_id, before={"status": before},
                 after={"status": target, "pending_steps": list(request.pending_steps),
                        "production_mode": request.production_mode}, data=data or {})


def next_status(*, actor, request: ServiceRequest) -> str:
    """The status after the current steps: the next pending step, or production (which may complete)."""
    if request.pending_steps:
        return STEP_STATUS[Step(request.pending_steps[0])]
    return production_begin(actor=actor, request=request)


def request_clear_step(req: ServiceRequest, step: str) -> None:
    """Take ``step`` off the front of the locked request's pending steps (it must be the next one)."""
    if not req.pending_steps or req.pending_steps[0] != step:
        raise Conflict("REQUEST_STEP_CONFLICT", f"当前待办环节不是“{Step(step).label}”")
    req.pending_steps = list(req.pending_steps[1:])


def claim_clear(req: ServiceRequest) -> None:
    """Forget the review claim of the (locked) request; saved with the request."""
    req.review_claimed_by, req.review_claimed_at, req.review_claim_expires_at = None, None, None


def refuse_claimed_by_other(req: ServiceRequest, actor) -> None:
    """Rule: a case under review belongs to the reviewer holding its live claim (``desk.claims``); anyone
    else is refused (409) until the claim expires or a supervisor releases or reassigns it."""
    if not claim_is_live(req.review_claimed_by_id, req.review_claim_expires_at, clock.now()):
        return
    if req.review_claimed_by_id == actor.staff_id:
        return
    holder = req.review_claimed_by.display_name
    until = req.review_claim_expires_at
    raise Conflict("REVIEW_CLAIMED_BY_OTHER",
                   f"该案件正由{holder}审核（至{timezone.localtime(until):%H:%M}），请选择其他案件；如需改派请联系主管",
                   details={"holder": holder, "holder_staff_id": req.review_claimed_by_id,
                            "claimed_until": until.isoformat()})


def _typed_text(value) -> str:
    """A note or reason as typed, without control characters other than line breaks and tabs (a NUL cannot
    even be stored in PostgreSQL)."""
    return "".join(ch for ch in str(value or "") if ch.isprintable() or ch in "\n\t").strip()


def _decision_data(req: ServiceRequest, actor) -> dict:
    return {"claimed": req.review_claimed_by_id == actor.staff_id and req.review_claimed_by_id is not None}


def request_approve(*, actor, request_no: str, note: str = "") -> ServiceRequest:
    """Review passed: clear the review step and move on (next step or central production).

    A case another reviewer holds (live claim) is refused; an unclaimed one is decided under the row lock,
    so nobody can be reviewing it meanwhile.  The claim ends with the decision."""
    require(actor, "request.approve")
    with transaction.atomic():
        req = request_lock(request_no)
        _check_event(req, RequestEvent.APPROVE)
        refuse_claimed_by_other(req, actor)
        data = _decision_data(req, actor)
        request_clear_step(req, Step.REVIEW)
        req.review_note = _typed_text(note)[:200]
        request_move(actor=actor, request=req, event=RequestEvent.APPROVE, target=next_status(actor=actor, request=req),
                     data=data)
    return req


def request_reject(*, actor, request_no: str, reason: str, item: str = ReviewItem.OTHER) -> ServiceRequest:
    """Review failed: the reason is required and is told to the applicant, with the item it concerns
    (``ReviewItem``: the photo, a document image, a field of the typed data ...), kept in ``rejection``."""
    require(actor, "request.reject")
    reason = _typed_text(reason)
    problems = []
    if not reason:
        problems.append(InvalidInput("REJECT_REASON_REQUIRED", "审核不通过必须填写原因"))
    if item not in ReviewItem.values:
        problems.append(InvalidInput("REJECT_ITEM_INVALID", "请选择审核不通过所涉及的项目"))
    if problems:
        first = problems[0]
        first.details = {"missing": [{"code": p.code, "message": p.message} for p in problems]}
        raise first
    with transaction.atomic():
        req = request_lock(request_no)
        _check_event(req, RequestEvent.REJECT)
        refuse_claimed_by_other(req, actor)
        data = _decision_data(req, actor)
        req.review_note = reason[:200]
        req.rejection = {"item": item, "item_label": str(ReviewItem(item).label), "reason": reason[:200]}
        request_move(actor=actor, request=req, event=RequestEvent.REJECT, target=RequestStatus.REJECTED,
                     data={"reason": reason[:200], "item": item, **data})
    return req


def request_present_voucher(*, actor, request_no: str, voucher_no: str,
                            evidence: EvidenceInput | None = None) -> ServiceRequest:
    """A clerk takes the kiosk voucher at the window; the request moves to this outlet.

    The voucher must match and be within ``voucher_valid_days``; evidence taken now is archived
    (images at a digital outlet, a paper reference otherwise).
    """
    require(actor, "request.present_voucher")
    with transaction.atomic(), audit_deferred():  # its events reach the chain after the printer is done
        req = request_lock(request_no)
        _check_event(req, RequestEvent.PRESENT_VOUCHER)
        if not req.voucher_no or (voucher_no or "").strip().upper() != req.voucher_no:
            raise Refused("VOUCHER_MISMATCH", "凭证号与该业务不一致")
        valid_days = int(policy_setting("voucher_valid_days"))
        if (clock.now() - req.created_at).days >= valid_days:
            raise Refused("VOUCHER_EXPIRED", f"凭证已超过{valid_days}天有效期，请重新办理")
        outlet = outlet_of(actor)
        req.outlet = outlet
        data = {"voucher_no": req.voucher_no}
        if evidence is not None and (evidence.credential_images or evidence.scene_image or evidence.paper_archive_ref):
            needs = EvidenceNeeds(archive="digital" if outlet.has_digital_archive else "paper", signature="",
                                  uploads=False)
            evidence_check(needs, evidence, None)
            evidence_store(actor=actor, request=req, needs=needs, evidence=evidence)
            req.archive_mode = needs.archive
            req.save(update_fields=["archive_mode"])
            data["evidence"] = needs.archive
        request_clear_step(req, Step.VOUCHER)
        request_move(actor=actor, request=req, event=RequestEvent.PRESENT_VOUCHER,
                     target=next_status(actor=actor, request=req), data=data)
    return req


def request_record_signed_form(*, actor, request_no: str, reference: str) -> ServiceRequest:
    """The printed form came back signed: record where the paper is filed, then move on."""
    with transaction.atomic(), audit_deferred():  # its events reach the chain after the printer is done
        req = request_lock(request_no)
        require(actor, "request.record_signed_form", outlet_id=req.outlet_id)
        _check_event(req, RequestEvent.RECORD_SIGNED_FORM)
        archive_record_paper(actor=actor, subject_type=SUBJECT, subject_id=req.request_no, kind="signed_form",
                             reference=reference, person_id=req.applicant_id)
        request_clear_step(req, Step.SIGNATURE)
        request_move(actor=actor, request=req, event=RequestEvent.RECORD_SIGNED_FORM,
                     target=next_status(actor=actor, request=req))
    return req


def request_settle_fee(*, actor, request_no: str, method: str, offset_reference: str = "") -> ServiceRequest:
    """The fee is paid or offset at the window (before production); the receipt is linked."""
    with transaction.atomic(), audit_deferred():  # its events reach the chain after the printer is done
        req = request_lock(request_no)
        require(actor, "request.settle_fee", outlet_id=req.outlet_id)
        _check_event(req, RequestEvent.SETTLE_FEE)
        payment = payment_record(actor=actor, amount_fen=int(req.fee_amount_fen or 0), method=method,
                                 offset_reference=offset_reference, subject_type=SUBJECT,
                                 subject_id=req.request_no, person_id=req.applicant_id,
                                 paid_by_name=req.applicant.name)
        req.payment = payment
        request_clear_step(req, Step.FEE)
        request_move(actor=actor, request=req, event=RequestEvent.SETTLE_FEE,
                     target=next_status(actor=actor, request=req), data={"receipt_no": payment.receipt_no})
    return req


def _refuse_batch(req: ServiceRequest) -> None:
    """A batch application moves with its production order and its batch's pick-up, never alone."""
    if req.production_mode == ProductionMode.BATCH:
        raise Refused("BATCH_REQUEST", "单位批量制卡业务随制卡批次办理（银行、卡商回盘与单位领取），不能单独操作；"
                      "急需用卡请办理批量转零星")


def _check_production_actor(actor, req: ServiceRequest) -> None:
    if req.production_mode == ProductionMode.CENTRAL:
        require(actor, "request.finish_central")
    else:
        require(actor, "request.finish_window", outlet_id=req.outlet_id)


def request_finish_production(*, actor, request_no: str, hand_over: bool = False,
                              originals_checked=()) -> ServiceRequest:
    """Production done: central (back office) or deferred window production (clerk, printer working).

    The card is made now; ``hand_over`` (window production only) gives it to the waiting applicant.
    """
    with transaction.atomic():
        req = request_lock(request_no)
        _check_event(req, RequestEvent.FINISH_PRODUCTION)
        _refuse_batch(req)
        _check_production_actor(actor, req)
        if hand_over and req.production_mode == ProductionMode.CENTRAL:
            raise Refused("HAND_OVER_NOT_HERE", "集中制卡的社保卡须在领取网点或邮寄发放")
        if hand_over:
            check_originals(req, originals_checked)
        card = production_finish(actor=actor, request=req, hand_over=hand_over)
        target = RequestStatus.COMPLETED if hand_over else RequestStatus.READY_FOR_PICKUP
        request_move(actor=actor, request=req, event=RequestEvent.FINISH_PRODUCTION, target=target,
                     data={"card_no": card.card_no})
        if target == RequestStatus.READY_FOR_PICKUP and req.delivery != Delivery.POST:
            _notify_card_ready(req)
    return req


def _notify_card_ready(req: ServiceRequest) -> None:
    """SMS to the holder (through the outbox, in this transaction): the card waits at its pick-up outlet."""
    outlet = req.pickup_outlet or req.outlet
    notify_enqueue(kind=MessageKind.CARD_READY, recipient=Recipient.HOLDER, person_id=req.applicant_id,
                   subject=(SUBJECT, req.request_no),
                   params={"name": req.applicant.name, "request_no": req.request_no,
                           "outlet": outlet.name if outlet else "领卡网点"})


def request_dispatch(*, actor, request_no: str, tracking_no: str) -> ServiceRequest:
    """Post the card (delivery chosen ``post``); a card not yet made is made first (central)."""
    require(actor, "request.dispatch")
    tracking_no = (tracking_no or "").strip()
    if not tracking_no or len(tracking_no) > 40:
        raise InvalidInput("TRACKING_NO_REQUIRED", "请填写邮件单号（不超过40个字符）")
    with transaction.atomic():
        req = request_lock(request_no)
        _refuse_batch(req)
        _check_event(req, RequestEvent.DISPATCH)
        if req.delivery != Delivery.POST:
            raise Refused("DELIVERY_NOT_POST", "该业务未选择邮寄到家，不能邮寄发出")
        if req.new_card_id is None:
            production_finish(actor=actor, request=req, hand_over=False)
        _check_card_issuable(req)
        req.tracking_no = tracking_no
        request_move(actor=actor, request=req, event=RequestEvent.DISPATCH, target=RequestStatus.IN_TRANSIT,
                     data={"tracking_no": tracking_no})
    return req


def _check_card_issuable(req: ServiceRequest):
    if req.new_card_id is None:
        raise Conflict("CARD_NOT_MADE", "社保卡尚未制成")
    card = card_lock(req.new_card_id)
    if card.state in unissuable_card_states():
        raise Refused("CARD_NOT_ISSUABLE", "该社保卡已挂失、注销或已被替换，不能发放")
    return card


def check_originals(req: ServiceRequest, originals_checked) -> None:
    """Every document of the request (applicant, agent) must be listed as checked in the original."""
    checked = {(str(p), str(d)) for p, d in originals_checked}
    needed = [("applicant", req.materials.get("applicant_doc"))]
    if req.materials.get("agent_doc"):
        needed.append(("agent", req.materials["agent_doc"]))
    missing = [(p, d) for p, d in needed if d and (p, d) not in checked]
    if missing:
        names = "、".join(("申办人" if p == "applicant" else "代办人") + str(DocType(d).label) for p, d in missing)
        raise Refused("ORIGINALS_NOT_CHECKED", f"领卡须核验办理时所提交的全部身份证明原件，未核验：{names}",
                      details={"missing": [{"party": p, "doc_type": d} for p, d in missing]})


def request_hand_over(*, actor, request_no: str, originals_checked) -> ServiceRequest:
    """Give the made card to the holder at the pickup outlet, after checking every original."""
    with transaction.atomic():
        req = request_lock(request_no)
        _refuse_batch(req)
        _check_event(req, RequestEvent.HAND_OVER)
        require(actor, "request.hand_over", outlet_id=req.pickup_outlet_id or req.outlet_id)
        check_originals(req, originals_checked)
        card = _check_card_issuable(req)
        card_issue_replacement(actor=actor, old_card_id=req.card_id, new=card, request=req)
        card_hand_over(actor=actor, card=card, outlet_id=actor.outlet_id,
                       data={"request_no": req.request_no, "delivery": req.delivery})
        request_move(actor=actor, request=req, event=RequestEvent.HAND_OVER, target=RequestStatus.COMPLETED,
                     data={"card_no": card.card_no})
    return req


def request_deliver(*, actor, request_no: str) -> ServiceRequest:
    """The post office reports the card delivered."""
    require(actor, "request.deliver")
    with transaction.atomic():
        req = request_lock(request_no)
        _check_event(req, RequestEvent.DELIVER)
        card = _check_card_issuable(req)
        card_issue_replacement(actor=actor, old_card_id=req.card_id, new=card, request=req)
        card_hand_over(actor=actor, card=card, outlet_id=None,
                       data={"request_no": req.request_no, "delivery": req.delivery})
        request_move(actor=actor, request=req, event=RequestEvent.DELIVER, target=RequestStatus.COMPLETED,
                     data={"card_no": card.card_no, "tracking_no": req.tracking_no})
    return req


def request_void(*, actor, request_no: str, reason: str) -> ServiceRequest:
    """Withdraw a request (applicant's wish, voucher lapsed, a production that cannot finish ...).

    Who: the owning citizen (not once production has begun), the back office (supervisor, admin), or a
    clerk of the outlet that took the request in or was chosen for pick-up.  In production only the back
    office, or a clerk of the outlet for its own deferred window production (central production is not
    an outlet's to stop).
    """
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("VOID_REASON_REQUIRED", "作废业务必须填写原因")
    with transaction.atomic():
        req = request_lock(request_no)
        if req.status == RequestStatus.IN_PRODUCTION:  # an unpaid batch reissue may still be voided
            _refuse_batch(req)
        # a clerk voids only what their own outlet took in or will hand over (app requests have no outlet
        # until one is chosen for pick-up)
        require(actor, "request.void", outlet_id=(req.outlet_id, req.pickup_outlet_id))
        if actor.kind == "citizen":
            if req.citizen_id != actor.citizen_id:
                raise NotFound("REQUEST_NOT_FOUND", "未找到该业务")
            if req.status == RequestStatus.IN_PRODUCTION:
                raise Refused("VOID_IN_PRODUCTION", "社保卡已在制作中，不能自行撤回，请联系服务窗口")
        elif outlet_bound(actor):
            if req.status == RequestStatus.IN_PRODUCTION and (
                    req.production_mode != ProductionMode.DEFERRED or actor.outlet_id != req.outlet_id):
                raise Forbidden("VOID_IN_PRODUCTION_BACK_OFFICE",
                                "制卡中的业务须由后台主管作废，或由受理网点作废本网点延时制卡的业务")
        _check_event(req, RequestEvent.VOID)
        req.review_note = reason[:200]
        request_move(actor=actor, request=req, event=RequestEvent.VOID, target=RequestStatus.VOIDED,
                     data={"reason": reason[:200]})
    return req


def requests_production_finished(*, actor, request_ids: list[int], data: dict | None = None) -> list[str]:
    """Bulk form of ``finish_production`` for centrally made batch cards that reached their outlet: every
    request still ``in_production`` moves to ``ready_for_pickup`` (the pair is checked against the table),
    in one statement, with one audit event listing them.  Returns the request numbers moved."""
    source, event, target = RequestStatus.IN_PRODUCTION, RequestEvent.FINISH_PRODUCTION, RequestStatus.READY_FOR_PICKUP
    if not allowed(source, event, target):
        raise Conflict("REQUEST_STATE_CONFLICT", "业务状态表不允许该批量转换")
    qs = ServiceRequest.objects.select_for_update().filter(pk__in=request_ids, status=source)
    moved = list(qs.values_list("pk", "request_no"))
    if not moved:
        return []
    ServiceRequest.objects.filter(pk__in=[pk for pk, _ in moved]).update(status=target, updated_at=clock.now())
    numbers = [no for _, no in moved]
    audit_record(event_type=AuditEventType.REQUESTS_PRODUCTION_FINISHED, actor=actor, subject_type=SUBJECT,
                 subject_id=numbers[0], before={"status": source}, after={"status": target},
                 data={"requests": numbers, **(data or {})})
    return numbers


def requests_card_made(*, requests: list[ServiceRequest], cards: list) -> None:
    """Link centrally made cards to their requests (one UPDATE per thousand), ``cards[i]`` to ``requests[i]``."""
    now = clock.now()
    for req, card in zip(requests, cards):
        req.new_card, req.updated_at = card, now
    ServiceRequest.objects.bulk_update(requests, ["new_card", "updated_at"], batch_size=1000)
