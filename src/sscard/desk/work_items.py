"""12333 work items to an outlet (工单转办): the writers.

When a caller needs what the phone cannot do (an appointment at a window, a question only the outlet can
answer, a complaint, materials to bring), the hotline operator sends a work item to an outlet for the
caller verified on this call (``desk.hotline.caller_verify``): ``work_item_create`` takes the verified
caller itself, never a person id from a form, and checks again that it is still live, verified by this
operator, and that its card still belongs to its person.  The item is due in the catalogue's
``work_item_due_working_days`` working days (``workdays``), in one of its ``work_item_categories``.

The staff of the target outlet (its clerks; supervisors of any outlet) accept it and close it with the
result; the operator who sent it, or a supervisor, may cancel it while it is not finished.  The state
table is ``desk.rules.WORK_ITEM_TRANSITIONS`` and ``_move`` is its one writer.  Each writer locks the row,
re-checks inside the lock, saves with ``update_fields`` and audits as its last write.  The callback number
is shown masked; its full value only to the outlet's staff, each view audited (``work_item_phone_view``).
"""

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.cards.models import Card
from sscard.core import clock, crypto, masking
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Refused
from sscard.core.ids import row_id
from sscard.desk.choices import WorkItemEvent, WorkItemState
from sscard.desk.hotline import VerifiedCaller
from sscard.desk.intake import new_number
from sscard.desk.models import WorkItem
from sscard.desk.rules import WORK_ITEM_PENDING, work_item_next
from sscard.desk.selectors import work_item_for_actor, work_item_number
from sscard.people.models import Person
from sscard.people.services import phone_is_valid
from sscard.policy.catalogue import policy_setting
from sscard.staff.models import Outlet
from sscard.staff.permissions import allowed, require
from sscard.workdays.selectors import add_working_days

NOTE_MAX = 500
RESULT_MAX = 500
PHONE_MAX = 20
OUTLET_UNKNOWN = "所选网点不存在或已停用，请重新选择转办网点"
SUBJECT = "work_item"
AUDIT = {
    WorkItemEvent.ACCEPT: AuditEventType.WORK_ITEM_ACCEPTED,
    WorkItemEvent.CLOSE: AuditEventType.WORK_ITEM_CLOSED,
    WorkItemEvent.CANCEL: AuditEventType.WORK_ITEM_CANCELLED,
}


def work_item_categories() -> list[str]:
    """The catalogue's categories, in its order."""
    return list(policy_setting("work_item_categories"))


def _text(value, limit: int | None = None) -> str:
    """What was typed, without control characters other than line breaks, trimmed (and cut at ``limit``
    + 1 so a too-long value is still seen as too long)."""
    text = "".join(ch for ch in str(value or "") if ch.isprintable() or ch == "\n").strip()
    return text[:limit + 1] if limit else text


def _draft_problems(*, outlet_id, category, note, contact_phone) -> tuple[dict, list[InvalidInput]]:
    """The cleaned values and every problem with them (each with its field), all at once."""
    problems: list[InvalidInput] = []
    outlet = None
    pk = row_id(outlet_id)
    if outlet_id in (None, ""):
        problems.append(InvalidInput("WORK_ITEM_OUTLET_REQUIRED", "请选择转办网点",
                                     details={"field": "outlet"}))
    else:
        outlet = Outlet.objects.filter(pk=pk, is_active=True).first() if pk else None
        if outlet is None:
            problems.append(InvalidInput("WORK_ITEM_OUTLET_UNKNOWN", OUTLET_UNKNOWN,
                                         details={"field": "outlet"}))
    category = _text(category, 20)
    if category not in work_item_categories():
        problems.append(InvalidInput("WORK_ITEM_CATEGORY_INVALID", "请选择工单类别",
                                     details={"field": "category"}))
    note = _text(note, NOTE_MAX)
    if not note:
        problems.append(InvalidInput("WORK_ITEM_NOTE_REQUIRED", "请填写转办事由（来电人需要网点办理的事项）",
                                     details={"field": "note"}))
    elif len(note) > NOTE_MAX:
        problems.append(InvalidInput("WORK_ITEM_NOTE_TOO_LONG", f"转办事由不能超过 {NOTE_MAX} 个字符",
                                     details={"field": "note"}))
    phone = "".join(_text(contact_phone, PHONE_MAX).split())
    if phone and not phone_is_valid(phone):
        problems.append(InvalidInput("WORK_ITEM_PHONE_INVALID",
                                     "回电号码格式不正确（11位手机号码或带区号的固定电话），不留号码请留空",
                                     details={"field": "contact_phone"}))
    return {"outlet": outlet, "category": category, "note": note, "contact_phone": phone}, problems


def work_item_check(*, outlet_id, category, note, contact_phone="") -> dict:
    """The shape of a work item to be sent (the 核对信息 page shows it before anything is saved): the
    cleaned values, or one ``InvalidInput`` naming every problem (the first one's code; each problem,
    with its field, in ``details.missing``)."""
    values, problems = _draft_problems(outlet_id=outlet_id, category=category, note=note,
                                       contact_phone=contact_phone)
    _raise_all(problems)
    return values


def _raise_all(problems: list[InvalidInput]) -> None:
    """One refusal for every problem: the first one's code, each problem in ``details.missing``."""
    if not problems:
        return
    first = problems[0]
    missing = [{"code": p.code, "field": p.details["field"], "message": p.message} for p in problems]
    first.message = "；".join(m["message"] for m in missing)
    first.details = {**first.details, "missing": missing}
    raise first


def _caller_refused() -> Refused:
    return Refused("WORK_ITEM_CALLER_NOT_VERIFIED",
                   "来电人身份未核验或核验已超过有效时间，请重新核验来电人身份后再转办")


def work_item_create(*, actor, caller: VerifiedCaller | None, outlet_id, category, note,
                     contact_phone: str = "") -> WorkItem:
    """Send a work item to an outlet for the caller this operator verified (still live).  Audited
    ``WORK_ITEM_CREATED`` (masked: no note, no number in clear).

    Refused: the caller not verified (any more) by this operator, or its card no longer its person's
    (422); every problem of the form at once (400); an unfinished item of the same category at the same
    outlet for the same caller (409, so a double submit makes one item).
    """
    require(actor, "workitem.create")
    if caller is None or not caller.live_for(actor):
        raise _caller_refused()
    values = work_item_check(outlet_id=outlet_id, category=category, note=note, contact_phone=contact_phone)
    with transaction.atomic():
        person = Person.objects.select_for_update().filter(pk=caller.person_id).first()
        card = Card.objects.filter(pk=caller.card_id, person_id=caller.person_id).first()
        if person is None or card is None:
            raise _caller_refused()
        outlet = Outlet.objects.select_for_update().filter(pk=values["outlet"].pk, is_active=True).first()
        if outlet is None:  # stopped since the check above
            _raise_all([InvalidInput("WORK_ITEM_OUTLET_UNKNOWN", OUTLET_UNKNOWN,
                                     details={"field": "outlet"})])
        same = (WorkItem.objects.filter(person=person, outlet=outlet, category=values["category"],
                                        state__in=WORK_ITEM_PENDING)
                .values_list("work_item_no", flat=True).first())
        if same:
            raise Conflict("WORK_ITEM_DUPLICATE",
                           f"该来电人已有转办至{outlet.name}的“{values['category']}”工单 {same} "
                           "尚未办结，请在该工单中跟进", details={"work_item_no": same})
        now = clock.now()
        due = add_working_days(now, int(policy_setting("work_item_due_working_days")))
        phone = values["contact_phone"]
        item = WorkItem.objects.create(
            work_item_no=new_number("GD"), category=values["category"], outlet=outlet, person=person,
            card=card, contact_phone=phone,
            contact_phone_hash=crypto.lookup_hash(phone, purpose="phone") if phone else "",
            note=values["note"], created_by_id=actor.staff_id, created_by_name=actor.name, created_at=now,
            due_at=due.due_at, due_provisional=due.provisional, updated_at=now)
        audit_record(event_type=AuditEventType.WORK_ITEM_CREATED, actor=actor, subject_type=SUBJECT,
                     subject_id=item.work_item_no, person_id=person.pk,
                     after={"state": item.state},
                     data={"category": item.category, "outlet_id": outlet.pk, "outlet_code": outlet.code,
                           "card_no": masking.mask_card_no(card.card_no),
                           "contact_phone": masking.mask_phone(phone), "note_chars": len(item.note),
                           "due_at": item.due_at.isoformat(), "due_provisional": item.due_provisional})
    return item


def _lock(work_item_no: str) -> WorkItem:
    """The item, locked for the rest of the transaction."""
    item = WorkItem.objects.select_for_update().filter(work_item_no=work_item_number(work_item_no)).first()
    if item is None:
        raise NotFound("WORK_ITEM_NOT_FOUND", "未找到该转办工单")
    return item


def _lock_at_outlet(actor, work_item_no: str, operation: str) -> WorkItem:
    """The item locked, once the caller may do ``operation`` on it: a clerk only at its target outlet
    (``OUTLET_MISMATCH``)."""
    item = _lock(work_item_no)
    require(actor, operation, outlet_id=item.outlet_id)
    return item


def _move(*, actor, item: WorkItem, event: str, fields: dict, data: dict | None = None) -> WorkItem:
    """The one writer of the work-item state table: refuse a pair it does not list, set the state and
    ``fields``, save them, audit the move."""
    target = work_item_next(item.state, event)
    if target is None:
        raise Conflict("WORK_ITEM_STATE_CONFLICT",
                       f"工单当前状态为“{WorkItemState(item.state).label}”，不能{WorkItemEvent(event).label}",
                       details={"state": item.state, "event": event})
    before = item.state
    item.state, item.updated_at = target, clock.now()
    for name, value in fields.items():
        setattr(item, name, value)
    item.save(update_fields=["state", "updated_at", *fields])
    audit_record(event_type=AUDIT[event], actor=actor, subject_type=SUBJECT, subject_id=item.work_item_no,
                 person_id=item.person_id, before={"state": before}, after={"state": target},
                 data={"outlet_id": item.outlet_id, **(data or {})})
    return item


def work_item_accept(*, actor, work_item_no: str) -> WorkItem:
    """The target outlet takes the item on (受理)."""
    require(actor, "workitem.accept")
    with transaction.atomic():
        item = _lock_at_outlet(actor, work_item_no, "workitem.accept")
        now = clock.now()
        return _move(actor=actor, item=item, event=WorkItemEvent.ACCEPT,
                     fields={"accepted_by_id": actor.staff_id, "accepted_by_name": actor.name,
                             "accepted_at": now})


def _required_text(value, code: str, message: str, field: str) -> str:
    text = _text(value, RESULT_MAX)
    if not text:
        raise InvalidInput(code, message, details={"field": field})
    if len(text) > RESULT_MAX:
        raise InvalidInput("WORK_ITEM_RESULT_TOO_LONG", f"填写的内容不能超过 {RESULT_MAX} 个字符",
                           details={"field": field})
    return text


def work_item_close(*, actor, work_item_no: str, result_note) -> WorkItem:
    """The target outlet closes an accepted item with what it did (办理结果)."""
    require(actor, "workitem.close")
    result = _required_text(result_note, "WORK_ITEM_RESULT_REQUIRED", "请填写办理结果", "result_note")
    with transaction.atomic():
        item = _lock_at_outlet(actor, work_item_no, "workitem.close")
        now = clock.now()
        return _move(actor=actor, item=item, event=WorkItemEvent.CLOSE,
                     fields={"result_note": result, "closed_by_id": actor.staff_id,
                             "closed_by_name": actor.name, "closed_at": now},
                     data={"on_time": now <= item.due_at, "result_chars": len(result)})


def work_item_cancel(*, actor, work_item_no: str, reason) -> WorkItem:
    """The operator who sent it, or a supervisor, withdraws an unfinished item, saying why (撤销原因)."""
    require(actor, "workitem.cancel")
    reason = _required_text(reason, "WORK_ITEM_CANCEL_REASON_REQUIRED", "请填写撤销原因", "reason")
    with transaction.atomic():
        item = _lock(work_item_no)
        if not allowed(actor, "workitem.view_all") and item.created_by_id != actor.staff_id:
            raise Forbidden("WORK_ITEM_NOT_CREATOR", "转办工单只能由转办的话务员或主管撤销")
        return _move(actor=actor, item=item, event=WorkItemEvent.CANCEL,
                     fields={"result_note": reason, "closed_by_id": actor.staff_id,
                             "closed_by_name": actor.name, "closed_at": clock.now()},
                     data={"reason_chars": len(reason)})


def work_item_phone_view(*, actor, work_item_no: str) -> str:
    """The callback number in full, for the staff of the target outlet to call back; every view audited
    ``WORK_ITEM_PHONE_VIEWED``."""
    require(actor, "workitem.phone_view")
    visible = work_item_for_actor(actor, work_item_no)
    with transaction.atomic():
        item = _lock_at_outlet(actor, visible.work_item_no, "workitem.phone_view")
        if not item.contact_phone:
            raise NotFound("WORK_ITEM_NO_PHONE", "来电人未留回电号码")
        audit_record(event_type=AuditEventType.WORK_ITEM_PHONE_VIEWED, actor=actor, subject_type=SUBJECT,
                     subject_id=item.work_item_no, person_id=item.person_id,
                     data={"field": "contact_phone", "masked": masking.mask_phone(item.contact_phone)})
    return item.contact_phone
