"""Reads of service requests: who may see which request, the review queue, printable rows.

Visibility: a citizen sees the requests of their account (or where they are the applicant), a kiosk
the ones it opened, a clerk those of their outlet (held there or to be picked up there), back-office
roles all.  Anything else is answered "not found" so the existence of a number is not disclosed.
"""

from django.db.models import Q
from django.utils import timezone

from sscard.archive.selectors import archive_items_for
from sscard.cards.models import Card
from sscard.cards.selectors import card_out
from sscard.core import clock, crypto, masking
from sscard.core.errors import NotFound
from sscard.desk.choices import Delivery, RequestStatus, ReviewTab, Urgency, WorkItemState
from sscard.desk.hotline import VerifiedCaller
from sscard.desk.models import ServiceRequest, WorkItem
from sscard.desk.production import app_production_due
from sscard.desk.rules import (
    PRODUCTION_BUSINESSES,
    REVIEW_TAB_STATUSES,
    WORK_ITEM_PENDING,
    claim_is_live,
    open_production_q,
    urgency,
)
from sscard.policy.choices import ApplicantRole, Business, CardReason, Channel, DocType
from sscard.policy.rules import is_minor_now
from sscard.staff.permissions import allowed, outlet_bound

_RELATED = ("applicant", "agent", "card", "new_card", "payment", "pickup_outlet", "outlet")


def _visible(actor) -> Q:
    if actor.kind == "citizen":
        return Q(citizen_id=actor.citizen_id) | Q(applicant_id=actor.person_id)
    if actor.kind == "kiosk":
        return Q(kiosk_id=actor.kiosk_id)
    if allowed(actor, "request.view_all"):
        return Q()
    if outlet_bound(actor) and actor.outlet_id is not None:
        return Q(outlet_id=actor.outlet_id) | Q(pickup_outlet_id=actor.outlet_id)
    return Q(pk__in=[])


def at_outlet_q(outlet_id: int) -> Q:
    """Requests an outlet deals with: taken in there, or to be picked up there."""
    return Q(outlet_id=outlet_id) | Q(pickup_outlet_id=outlet_id)


def request_for_actor(actor, request_no: str, *, clerk_by_voucher: bool = False) -> ServiceRequest:
    """The request if the caller may see it; NotFound otherwise.

    ``clerk_by_voucher``: whoever may take a kiosk voucher (a clerk at any window) may open a request
    awaiting its voucher.
    """
    qs = ServiceRequest.objects.select_related(*_RELATED).filter(request_no=str(request_no)[:24])
    visible = _visible(actor)
    if clerk_by_voucher and allowed(actor, "request.present_voucher"):
        visible |= Q(status=RequestStatus.AWAITING_VOUCHER)
    req = qs.filter(visible).first()
    if req is None:
        raise NotFound("REQUEST_NOT_FOUND", "未找到该业务")
    return req


def request_by_voucher(actor, voucher_no: str) -> ServiceRequest:
    """The request a kiosk voucher (自助一体机凭证) names, by the number its QR code holds, with the
    visibility of ``request_for_actor(..., clerk_by_voucher=True)``; NotFound otherwise."""
    qs = ServiceRequest.objects.select_related(*_RELATED).filter(voucher_no=str(voucher_no).strip().upper()[:24])
    visible = _visible(actor)
    if allowed(actor, "request.present_voucher"):
        visible |= Q(status=RequestStatus.AWAITING_VOUCHER)
    req = qs.filter(visible).first()
    if req is None:
        raise NotFound("REQUEST_NOT_FOUND", "未找到该业务")
    return req


def requests_of_citizen(actor, *, limit: int = 50, offset: int = 0) -> list[ServiceRequest]:
    """The app user's own businesses (made in the app, or for them as applicant), newest first."""
    return list(ServiceRequest.objects.select_related(*_RELATED).filter(_visible(actor))
                .order_by("-created_at", "-id")[offset:offset + limit])


def overdue_production(*, now=None, limit: int = 100, offset: int = 0, outlet_id: int | None = None) -> list[dict]:
    """Production requests past their due time, most overdue first, personal data masked; ``outlet_id``:
    those taken in or to be picked up at that outlet.

    Rule: a request is overdue only while it is still in production (``production_requests_overdue``);
    a card made and waiting for pick-up is not.
    """
    now = now or clock.now()
    qs = production_requests_overdue(now).select_related("applicant", "outlet", "pickup_outlet")
    if outlet_id is not None:
        qs = qs.filter(at_outlet_q(outlet_id))
    rows = []
    for req in qs[offset:offset + limit]:
        rows.append({
            "request_no": req.request_no, "business": req.business, "channel": req.channel,
            "production_mode": req.production_mode, "applicant_name": masking.mask_name(req.applicant.name),
            "outlet": req.outlet.name if req.outlet_id else None,
            "pickup_outlet": req.pickup_outlet.name if req.pickup_outlet_id else None,
            "due_at": req.due_at, "due_provisional": req.due_provisional,
            "hours_overdue": round((now - req.due_at).total_seconds() / 3600, 1),
        })
    return rows


def review_queue(*, limit: int = 100) -> list[dict]:
    """App applications waiting for review, oldest first, personal data masked."""
    rows = []
    qs = (ServiceRequest.objects.select_related("applicant", "agent")
          .filter(status=RequestStatus.PENDING_REVIEW).order_by("created_at", "id")[:limit])
    for req in qs:
        kinds = [item.kind for item in archive_items_for("service_request", req.request_no)]
        rows.append({
            "request_no": req.request_no, "business": req.business, "applicant_role": req.applicant_role,
            "applicant_name": masking.mask_name(req.applicant.name),
            "applicant_id_number": req.applicant.masked_id_number,
            "birth_year": req.applicant.birth_date.year,
            "agent_name": masking.mask_name(req.agent.name) if req.agent_id else "",
            "documents": {"applicant_doc": req.materials.get("applicant_doc"),
                          "agent_doc": req.materials.get("agent_doc")},
            "uploaded_documents": kinds.count("uploaded_document"), "has_photo": "photo" in kinds,
            "delivery": req.delivery, "created_at": req.created_at,
        })
    return rows


def _review_case_row(req: ServiceRequest, *, actor, now) -> dict:
    """One app application as the review pages list it: masked personal data, due date and urgency, who
    holds its claim, and the refusal (item and reason) once rejected."""
    if req.status == RequestStatus.PENDING_REVIEW:
        due = app_production_due(req.created_at)
        due_at, provisional = due.due_at, due.provisional
    else:
        due_at, provisional = req.due_at, req.due_provisional
    level = urgency(due_at, now)
    live = claim_is_live(req.review_claimed_by_id, req.review_claim_expires_at, now)
    claim = None
    if live:
        claim = {"name": req.review_claimed_by.display_name, "until": req.review_claim_expires_at,
                 "mine": req.review_claimed_by_id == actor.staff_id}
    materials = req.materials or {}
    return {
        "request_no": req.request_no,
        "business_label": str(Business(req.business).label),
        "role_label": str(ApplicantRole(req.applicant_role).label),
        "status": req.status, "status_label": str(RequestStatus(req.status).label),
        "pending": req.status == RequestStatus.PENDING_REVIEW,
        "applicant_name": masking.mask_name(req.applicant.name),
        "applicant_id_number": req.applicant.masked_id_number,
        "applicant_doc_label": str(DocType(materials["applicant_doc"]).label) if materials.get("applicant_doc") else "",
        "agent_name": masking.mask_name(req.agent.name) if req.agent_id else "",
        "agent_id_number": req.agent.masked_id_number if req.agent_id else "",
        "agent_doc_label": str(DocType(materials["agent_doc"]).label) if materials.get("agent_doc") else "",
        "delivery_label": str(Delivery(req.delivery).label),
        "delivery_address": masking.mask_address(req.delivery_address),
        "pickup_outlet": req.pickup_outlet.name if req.pickup_outlet_id else "",
        "submitted_at": req.created_at,
        "updated_at": req.updated_at,
        "due_at": due_at, "due_provisional": provisional,
        "urgency": level, "urgency_label": str(Urgency(level).label),
        "claim": claim,
        "review_note": req.review_note,
        "rejection": req.rejection or {},
    }


def _review_requests():
    return (ServiceRequest.objects.select_related("applicant", "agent", "review_claimed_by", "pickup_outlet")
            .filter(channel=Channel.APP, business__in=PRODUCTION_BUSINESSES))


def review_cases(*, actor, tab: str = ReviewTab.PENDING, now=None, limit: int = 200) -> list[dict]:
    """The review pages' queue, one tab at a time (``rules.REVIEW_TAB_STATUSES``), masked.

    Waiting cases come by due date (submission order: the due date is N working days after it), the
    rejected ones newest refusal first, the passed ones by their production due date."""
    now = now or clock.now()
    tab = tab if tab in REVIEW_TAB_STATUSES else ReviewTab.PENDING
    qs = _review_requests().filter(status__in=REVIEW_TAB_STATUSES[tab])
    order = {ReviewTab.PENDING: ("created_at", "id"), ReviewTab.REJECTED: ("-updated_at", "-id"),
             ReviewTab.APPROVED: ("due_at", "created_at", "id")}[tab]
    return [_review_case_row(req, actor=actor, now=now) for req in qs.order_by(*order)[:limit]]


def review_tab_counts() -> dict[str, int]:
    """How many cases each tab holds."""
    qs = _review_requests()
    return {tab: qs.filter(status__in=statuses).count() for tab, statuses in REVIEW_TAB_STATUSES.items()}


def review_groups(rows: list[dict]) -> list[dict]:
    """Rows grouped by urgency, most urgent group first (empty groups left out), order kept inside."""
    groups = []
    for level in Urgency:
        inside = [r for r in rows if r["urgency"] == level]
        if inside:
            groups.append({"urgency": str(level), "label": str(level.label), "rows": inside})
    return groups


def review_case(*, actor, request_no: str, now=None) -> dict:
    """One app application of the review pages, masked (the full data come from
    ``desk.review.review_applicant_full_view``, audited); NotFound for anything else."""
    req = _review_requests().filter(request_no=str(request_no)[:24]).first()
    if req is None:
        raise NotFound("REQUEST_NOT_FOUND", "未找到该业务")
    return _review_case_row(req, actor=actor, now=now or clock.now())


def request_form_rows(req: ServiceRequest) -> list[tuple[str, str]]:
    """Rows of the printed business form / voucher: masked personal data only."""
    def doc(value):
        return str(DocType(value).label) if value else "—"

    rows = [
        ("业务", str(Business(req.business).label)),
        ("办理方式", str(ApplicantRole(req.applicant_role).label)),
        ("申办人", masking.mask_name(req.applicant.name)),
        ("申办人证件", f"{doc(req.materials.get('applicant_doc'))} {req.applicant.masked_id_number}"),
    ]
    if req.agent_id:
        rows.append(("代办人", masking.mask_name(req.agent.name)))
        rows.append(("代办人证件", f"{doc(req.materials.get('agent_doc'))} {req.agent.masked_id_number}"))
    if req.reason:
        rows.append(("原因", str(CardReason(req.reason).label)))
    if req.card_id:
        rows.append(("原社保卡号", req.card.card_no))
    if req.fee_amount_fen:
        rows.append(("应缴费用", f"{req.fee_amount_fen // 100}.{req.fee_amount_fen % 100:02d} 元"))
    rows.append(("受理时间", f"{timezone.localtime(req.created_at):%Y-%m-%d %H:%M}"))  # Beijing time
    return rows


def open_production_requests():
    """The one definition of an open production request: a card-production business (apply, reissue,
    replace, renew) not yet completed, rejected or voided (``rules.open_production_q``)."""
    return ServiceRequest.objects.filter(open_production_q())


def open_production_request(person):
    """The person's open card-production business, if any: at most one exists (DB constraint
    ``one_open_production_request_per_person``)."""
    return open_production_requests().filter(applicant=person).first()


# What the status query reads of a card and its holder (the holder's encrypted fields are not loaded).
STATUS_CARD_FIELDS = ("id", "card_no", "state", "state_changed_at", "temp_loss_expires_at", "person",
                      "person__id", "person__birth_date")


def status_cards():
    """Cards as the status query reads them, newest first, each with its holder's id and birth date."""
    return Card.objects.select_related("person").only(*STATUS_CARD_FIELDS).order_by("-id")


def card_status_of(person_id: int, *, cards=None) -> dict:
    """Rule (应用状态查询): the person's cards (newest first) with state, label and AAZ502 code, and the
    progress of any open production request (status, due date, pick-up outlet).  No archive data.

    ``cards``: the person's cards already read (``status_cards``); else they are read here.  One statement
    for the open requests (the pick-up outlet joined), one for the cards unless given.
    """
    if cards is None:
        cards = status_cards().filter(person_id=person_id)
    open_requests = (open_production_requests().filter(applicant_id=person_id).select_related("pickup_outlet")
                     .only("request_no", "business", "status", "due_at", "due_provisional", "created_at",
                           "pickup_outlet", "pickup_outlet__name")
                     .order_by("-created_at"))
    requests = [{
        "request_no": r.request_no,
        "business": r.business,
        "status": r.status,
        "status_label": str(RequestStatus(r.status).label),
        "due_at": r.due_at,
        "due_provisional": r.due_provisional,
        "pickup_outlet": r.pickup_outlet.name if r.pickup_outlet_id else None,
    } for r in open_requests]
    return {"person_id": person_id, "cards": [card_out(c) for c in cards], "open_requests": requests}


def production_requests_overdue(now=None):
    """Requests still in production after their due time (listed by ``run_due_sweeps``)."""
    now = now or clock.now()
    return (ServiceRequest.objects.filter(status=RequestStatus.IN_PRODUCTION, due_at__lt=now)
            .order_by("due_at"))


def person_overview(person, *, requests: int = 10) -> dict:
    """What a window shows of a person it has identified: masked identity, every card with its state, and
    the latest businesses (number, business, status, when).  Full values stay out; the clerk has the
    original document in hand."""
    reqs = (ServiceRequest.objects.filter(applicant=person).select_related("outlet")
            .order_by("-created_at")[:requests])
    return {
        "person_id": person.pk,
        "name": person.name,
        "id_number_masked": masking.mask_id_number(person.id_number),
        "phone_masked": masking.mask_phone(person.phone),
        "birth_date": person.birth_date,
        "is_minor": is_minor_now(person.birth_date),
        "cards": [card_out(c) for c in Card.objects.filter(person=person).order_by("-id")],
        "requests": [{
            "request_no": r.request_no,
            "business_label": str(Business(r.business).label) if r.business in Business.values else r.business,
            "status_label": str(RequestStatus(r.status).label),
            "status": r.status,
            "created_at": r.created_at,
            "outlet": r.outlet.name if r.outlet_id else "",
        } for r in reqs],
    }


def deferred_at_outlet(outlet_id: int, *, now=None) -> list[dict]:
    """This outlet's window cards waiting to be made (issuance device or network failed), oldest first,
    with the time left against their 24-hour limit (negative once overdue)."""
    now = now or clock.now()
    reqs = (ServiceRequest.objects.filter(outlet_id=outlet_id, status=RequestStatus.IN_PRODUCTION,
                                          production_mode="deferred")
            .select_related("applicant").order_by("due_at"))
    return [{
        "request_no": r.request_no,
        "business_label": str(Business(r.business).label) if r.business in Business.values else r.business,
        "applicant_masked": masking.mask_name(r.applicant.name),
        "created_at": r.created_at,
        "due_at": r.due_at,
        "seconds_left": int((r.due_at - now).total_seconds()) if r.due_at else None,
        "overdue": bool(r.due_at and r.due_at < now),
        "materials": r.materials or {},
    } for r in reqs]


# ---------------------------------------------------------------- 12333 work items (desk.work_items)

WORK_ITEM_TABS = {"pending": "待办（待受理、已受理）", "done": "已办结、已撤销"}
_WORK_ITEM_DONE = (WorkItemState.CLOSED, WorkItemState.CANCELLED)


def _work_items_visible(actor, caller: VerifiedCaller | None = None) -> Q:
    """Who sees which work item: a clerk those sent to their outlet, a supervisor all, a hotline operator
    those they sent and those of the caller they have verified on this call; anyone else none."""
    if outlet_bound(actor):
        return Q(outlet_id=actor.outlet_id) if actor.outlet_id is not None else Q(pk__in=[])
    if allowed(actor, "workitem.view_all"):
        return Q()
    if allowed(actor, "workitem.create"):
        mine = Q(created_by_id=actor.staff_id)
        return mine | Q(person_id=caller.person_id) if caller is not None and caller.live_for(actor) else mine
    return Q(pk__in=[])


def _work_items():
    return WorkItem.objects.select_related("outlet", "person", "card")


def work_item_number(value) -> str:
    """A work-item number as typed or routed (letters, digits, hyphens, at most 24), or NotFound: nothing
    else reaches a query (PostgreSQL refuses a NUL outright)."""
    value = str(value or "")
    if not (0 < len(value) <= 24 and value.isascii() and value.replace("-", "").isalnum()):
        raise NotFound("WORK_ITEM_NOT_FOUND", "未找到该转办工单")
    return value


def work_item_for_actor(actor, work_item_no: str, *, caller: VerifiedCaller | None = None) -> WorkItem:
    """The work item if the caller may see it; NotFound otherwise (a number's existence is not disclosed)."""
    number = work_item_number(work_item_no)
    item = _work_items().filter(_work_items_visible(actor, caller), work_item_no=number).first()
    if item is None:
        raise NotFound("WORK_ITEM_NOT_FOUND", "未找到该转办工单")
    return item


def work_item_row(item: WorkItem, *, now=None) -> dict:
    """One work item as the pages show it: the caller masked (name, ID number, card number, callback
    number), its due date against now (overdue said in words, not only by colour), who did what when."""
    now = now or clock.now()
    pending = item.state in WORK_ITEM_PENDING
    level = urgency(item.due_at, now) if pending else ""
    late = pending and item.due_at < now
    closed = item.state == WorkItemState.CLOSED and item.closed_at is not None
    return {
        "work_item_no": item.work_item_no, "category": item.category,
        "outlet_id": item.outlet_id, "outlet": item.outlet.name,
        "caller_name": masking.mask_name(item.person.name),
        "caller_id_number": item.person.masked_id_number,
        "card_no": masking.mask_card_no(item.card.card_no),
        "has_phone": bool(item.contact_phone), "contact_phone": masking.mask_phone(item.contact_phone),
        "note": item.note,
        "state": item.state, "state_label": str(WorkItemState(item.state).label), "pending": pending,
        "created_by_id": item.created_by_id, "created_by": item.created_by_name,
        "created_at": item.created_at, "due_at": item.due_at, "due_provisional": item.due_provisional,
        "urgency": level, "urgency_label": str(Urgency(level).label) if level else "",
        "overdue": level == Urgency.OVERDUE,
        "hours_overdue": round((now - item.due_at).total_seconds() / 3600, 1) if late else 0,
        "accepted_by": item.accepted_by_name, "accepted_at": item.accepted_at,
        "result_note": item.result_note, "closed_by": item.closed_by_name, "closed_at": item.closed_at,
        "on_time": item.closed_at <= item.due_at if closed else None,
    }


def work_items_list(*, actor, tab: str = "pending", outlet_id: int | None = None, phone: str = "", now=None,
                    limit: int = 200) -> list[dict]:
    """The work items the caller sees, one tab at a time: the unfinished ones by due date (the most urgent
    first), the finished ones newest first; ``outlet_id`` narrows (a supervisor's filter), ``phone`` finds
    the items with that callback number (by its lookup hash)."""
    now = now or clock.now()
    qs = _work_items().filter(_work_items_visible(actor))
    if tab == "done":
        qs = qs.filter(state__in=_WORK_ITEM_DONE).order_by("-closed_at", "-id")
    else:
        qs = qs.filter(state__in=WORK_ITEM_PENDING).order_by("due_at", "created_at", "id")
    if outlet_id is not None:
        qs = qs.filter(outlet_id=outlet_id)
    if phone:
        qs = qs.filter(contact_phone_hash=crypto.lookup_hash(phone, purpose="phone"))
    return [work_item_row(item, now=now) for item in qs[:limit]]


def work_items_of_caller(*, actor, caller: VerifiedCaller | None, now=None, limit: int = 20) -> list[dict]:
    """The verified caller's work items (any operator's), newest first: what the desk tells a caller who
    calls back.  None without a caller this operator verified and still live."""
    if caller is None or not caller.live_for(actor):
        return []
    now = now or clock.now()
    qs = _work_items().filter(person_id=caller.person_id).order_by("-created_at", "-id")[:limit]
    return [work_item_row(item, now=now) for item in qs]


def work_items_overdue(*, now=None, outlet_id: int | None = None, limit: int = 50) -> list[dict]:
    """Unfinished work items past their due date, the most overdue first (the supervisor's dashboard)."""
    now = now or clock.now()
    qs = _work_items().filter(state__in=WORK_ITEM_PENDING, due_at__lt=now).order_by("due_at", "id")
    if outlet_id is not None:
        qs = qs.filter(outlet_id=outlet_id)
    return [work_item_row(item, now=now) for item in qs[:limit]]


def work_items_waiting(outlet_id: int, *, now=None) -> dict:
    """How many unfinished work items an outlet has, and how many of them are overdue (the window home)."""
    now = now or clock.now()
    qs = WorkItem.objects.filter(outlet_id=outlet_id, state__in=WORK_ITEM_PENDING)
    return {"pending": qs.count(), "overdue": qs.filter(due_at__lt=now).count()}
