"""Reads of the audit trail: the search of the supervisors' and auditors' page, the latest event of
some subjects (the device status shown beside each outlet), and the search of the access log (who looked
at whose cards).

Read-only.  Events carry masked personal data only (``models``); what they show passes one more mask on
the way out (``mask_values``: anything shaped like a full ID or mobile number), so an event written
wrongly never puts a number in clear on a page.  Who may search is the caller's check (the access
table's ``audit.search``, which this app sits below).
"""

import datetime as dt
import re
from dataclasses import dataclass

from django.core.paginator import Paginator
from django.db.models import Max, Q

from sscard.audit.choices import AuditEventType
from sscard.audit.models import AccessLogEntry, AuditEvent
from sscard.core import masking

PAGE_SIZE = 50

# What the trail's subjects are, in Chinese (a subject type not listed is shown as written).
SUBJECT_TYPE_LABELS = {
    "service_request": "业务",
    "card": "社保卡",
    "person": "人员",
    "batch": "单位批量批次",
    "production_order": "制卡批次（生产单）",
    "employer": "用人单位",
    "employer_handler": "单位经办人",
    "staff": "工作人员",
    "kiosk": "自助一体机",
    "citizen_account": "APP账户",
    "calendar": "节假日日历（导入）",
    "demo": "演示数据",
    "staff.outlet": "网点",
    "staff.staffmember": "工作人员档案",
    "staff.kioskdevice": "自助一体机档案",
    "fees.feerule": "收费标准",
    "workdays.calendarday": "节假日/调休日",
    "workdays.calendaryear": "节假日安排年份",
}

# whole runs only: a request, receipt or batch number (letters then digits) is not a person's number
_ID_NUMBER = re.compile(r"(?<![0-9A-Za-z])\d{17}[\dXx](?![0-9A-Za-z])")
_PHONE = re.compile(r"(?<![0-9A-Za-z])1\d{10}(?![0-9A-Za-z])")


def mask_values(value):
    """``value`` with every string shaped like a full ID number or mobile number masked (recursively)."""
    if isinstance(value, str):
        value = _ID_NUMBER.sub(lambda m: masking.mask_id_number(m.group(0)), value)
        return _PHONE.sub(lambda m: masking.mask_phone(m.group(0)), value)
    if isinstance(value, dict):
        return {k: mask_values(v) for k, v in value.items()}
    if isinstance(value, list):
        return [mask_values(v) for v in value]
    return value


@dataclass(frozen=True)
class AuditQuery:
    """What to search for; every part optional.  ``number`` finds the events of a subject by its number
    (request, card, batch ...) and the events that name it (a card event's ``data.request_no``)."""

    subject_type: str = ""
    number: str = ""
    actor_name: str = ""
    actor_role: str = ""
    event_type: str = ""
    at_from: dt.datetime | None = None  # inclusive
    at_to: dt.datetime | None = None  # exclusive


def _filter(q: AuditQuery):
    qs = AuditEvent.objects.all()
    if q.subject_type:
        qs = qs.filter(subject_type=q.subject_type)
    if q.number:
        number = q.number.strip()
        qs = qs.filter(Q(subject_id=number) | Q(data__request_no=number) | Q(data__card_no=number))
    if q.actor_name:
        qs = qs.filter(actor_name__icontains=q.actor_name.strip())
    if q.actor_role:
        qs = qs.filter(actor_role=q.actor_role)
    if q.event_type:
        qs = qs.filter(event_type=q.event_type)
    if q.at_from is not None:
        qs = qs.filter(at__gte=q.at_from)
    if q.at_to is not None:
        qs = qs.filter(at__lt=q.at_to)
    return qs.order_by("-seq")


def event_row(e: AuditEvent) -> dict:
    """One event as the page shows it: labels, and masked before / after / data."""
    label = AuditEventType(e.event_type).label if e.event_type in AuditEventType.values else e.event_type
    return {
        "seq": e.seq, "at": e.at, "event_type": e.event_type, "event_label": str(label),
        "actor_name": e.actor_name, "actor_role": e.actor_role, "actor_kind": e.actor_kind, "channel": e.channel,
        "outlet_id": e.outlet_id, "subject_type": e.subject_type,
        "subject_label": SUBJECT_TYPE_LABELS.get(e.subject_type, e.subject_type), "subject_id": e.subject_id,
        "before": mask_values(e.before), "after": mask_values(e.after), "data": mask_values(e.data),
    }


def audit_search(q: AuditQuery, *, page: int = 1, page_size: int = PAGE_SIZE) -> dict:
    """Events matching ``q``, newest first, one page of ``page_size``; a page past the end gives the last.

    Returns ``rows`` (``event_row``), ``page``, ``pages``, ``total``.
    """
    paginator = Paginator(_filter(q), page_size)
    number = min(max(int(page), 1), paginator.num_pages)
    current = paginator.page(number)
    return {"rows": [event_row(e) for e in current.object_list], "page": number, "pages": paginator.num_pages,
            "total": paginator.count, "has_next": current.has_next(), "has_previous": current.has_previous()}


def latest_events(*, event_type: str, subject_type: str, subject_ids) -> dict[str, dict]:
    """The newest event of ``event_type`` for each of the subjects, by subject id (as text)."""
    ids = [str(i) for i in subject_ids]
    last = (AuditEvent.objects.filter(event_type=event_type, subject_type=subject_type, subject_id__in=ids)
            .values("subject_id").annotate(seq=Max("seq")).values_list("seq", flat=True))
    return {e.subject_id: event_row(e) for e in AuditEvent.objects.filter(seq__in=list(last))}


@dataclass(frozen=True)
class AccessQuery:
    """What to look for in the access log; every part optional.  ``person_id`` is whose data was seen (a
    page finds it from a presented number through the people's lookup hash); the caller by kind and id,
    name or role; ``operation`` an access-table name."""

    person_id: int | None = None
    actor_kind: str = ""
    actor_id: int | None = None
    actor_name: str = ""
    actor_role: str = ""
    operation: str = ""
    outlet_id: int | None = None
    at_from: dt.datetime | None = None  # inclusive
    at_to: dt.datetime | None = None  # exclusive


def _access_filter(q: AccessQuery):
    qs = AccessLogEntry.objects.all()
    if q.person_id is not None:
        qs = qs.filter(person_id=q.person_id)
    if q.actor_kind:
        qs = qs.filter(actor_kind=q.actor_kind)
    if q.actor_id is not None:
        qs = qs.filter(actor_id=q.actor_id)
    if q.actor_name:
        qs = qs.filter(actor_name__icontains=q.actor_name.strip())
    if q.actor_role:
        qs = qs.filter(actor_role=q.actor_role)
    if q.operation:
        qs = qs.filter(operation=q.operation)
    if q.outlet_id is not None:
        qs = qs.filter(outlet_id=q.outlet_id)
    if q.at_from is not None:
        qs = qs.filter(at__gte=q.at_from)
    if q.at_to is not None:
        qs = qs.filter(at__lt=q.at_to)
    return qs.order_by("-id")


def access_row(e: AccessLogEntry) -> dict:
    """One access-log entry as a page shows it (ids only: nothing in it is personal data)."""
    return {"id": e.id, "at": e.at, "operation": e.operation, "actor_kind": e.actor_kind,
            "actor_id": e.actor_id, "actor_name": e.actor_name, "actor_role": e.actor_role,
            "channel": e.channel, "outlet_id": e.outlet_id, "person_id": e.person_id,
            "card_ids": list(e.card_ids), "request_id": e.request_id}


def access_log_search(q: AccessQuery, *, page: int = 1, page_size: int = PAGE_SIZE) -> dict:
    """Access-log entries matching ``q``, newest first, one page (as ``audit_search``).  Who may search is
    the caller's check (``audit.search``)."""
    paginator = Paginator(_access_filter(q), page_size)
    number = min(max(int(page), 1), paginator.num_pages)
    current = paginator.page(number)
    return {"rows": [access_row(e) for e in current.object_list], "page": number,
            "pages": paginator.num_pages, "total": paginator.count, "has_next": current.has_next(),
            "has_previous": current.has_previous()}
