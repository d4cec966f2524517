"""Writers of the working-day calendar: imports, and single days edited on the supervisor's settings
pages (the Django admin is the other editor)."""

import datetime as dt
from dataclasses import dataclass

from django.db import IntegrityError, transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core.errors import Conflict, InvalidInput, NotFound
from sscard.core.ids import row_id
from sscard.staff.config_audit import config_audit_record
from sscard.staff.permissions import require
from sscard.workdays.choices import DayKind
from sscard.workdays.models import CalendarDay, CalendarYear
from sscard.workdays.selectors import clear_calendar_cache


@dataclass(frozen=True)
class ImportCounts:
    created: int
    updated: int
    unchanged: int


def calendar_import(*, actor, rows, source: str, note: str = "") -> ImportCounts:
    """Load announced holidays / make-up working days into the edited table; idempotent.

    ``rows`` are (date, kind, name).  Rows for an existing date replace its kind and name; every year
    present is recorded as announced (``CalendarYear``), so its plain weekdays stop being provisional.
    All or nothing, audited as ``CALENDAR_IMPORTED``.
    """
    rows = list(rows)
    if not rows:
        raise InvalidInput("CALENDAR_IMPORT_EMPTY", "没有可导入的节假日或调休日期")
    created = updated = unchanged = 0
    years = sorted({day.year for day, _, _ in rows})
    with transaction.atomic():
        existing = {
            c.date: c for c in CalendarDay.objects.select_for_update().filter(date__in=[r[0] for r in rows])
        }
        for day, kind, name in rows:
            current = existing.get(day)
            if current is None:
                CalendarDay.objects.create(date=day, kind=kind, name=name, note=note)
                created += 1
            elif current.kind != kind or current.name != name:
                current.kind, current.name = kind, name
                current.save(update_fields=["kind", "name", "updated_at"])
                updated += 1
            else:
                unchanged += 1
        for year in years:
            CalendarYear.objects.update_or_create(year=year, defaults={"announced": True, "source": source})
        counts = ImportCounts(created, updated, unchanged)
        audit_record(event_type=AuditEventType.CALENDAR_IMPORTED, actor=actor, subject_type="calendar",
                     subject_id=",".join(str(y) for y in years),
                     data={"source": source, "created": created, "updated": updated, "unchanged": unchanged})
        transaction.on_commit(clear_calendar_cache)
    clear_calendar_cache()
    return counts


# ---------------------------------------------------------------- single days (settings pages)

NAME_MAX, NOTE_MAX = 100, 200
DAY_FIELDS = ("kind", "name", "note")


def _day_values(*, kind: str, name: str, note: str) -> dict:
    if kind not in DayKind.values:
        raise InvalidInput("CALENDAR_DAY_INVALID", "类型须为法定节假日（休息）或调休上班", details={"field": "kind"})
    name, note = (name or "").strip(), (note or "").strip()
    if len(name) > NAME_MAX:
        raise InvalidInput("CALENDAR_DAY_INVALID", f"名称不能超过{NAME_MAX}个字符", details={"field": "name"})
    if len(note) > NOTE_MAX:
        raise InvalidInput("CALENDAR_DAY_INVALID", f"说明不能超过{NOTE_MAX}个字符", details={"field": "note"})
    return {"kind": kind, "name": name, "note": note}


def calendar_day_lock(day_id) -> CalendarDay:
    pk = row_id(day_id)
    day = CalendarDay.objects.select_for_update().filter(pk=pk).first() if pk else None
    if day is None:
        raise NotFound("CALENDAR_DAY_NOT_FOUND", "未找到该日期的节假日或调休记录")
    return day


def calendar_day_add(*, actor, date: dt.date, kind: str, name: str = "", note: str = "") -> CalendarDay:
    """A date whose status differs from (or confirms) the default: a public holiday or a make-up working
    day.  Rule: an edited row wins over ``chinesecalendar`` and the Monday-Friday fallback; one row per
    date.  Due dates already given keep their value; new ones count with the edit."""
    require(actor, "calendar.day_change")
    if not isinstance(date, dt.date) or isinstance(date, dt.datetime):
        raise InvalidInput("CALENDAR_DAY_INVALID", "日期不正确", details={"field": "date"})
    values = _day_values(kind=kind, name=name, note=note)
    exists = Conflict("CALENDAR_DAY_EXISTS", f"{date.isoformat()} 已有记录，请修改原记录", details={"field": "date"})
    with transaction.atomic():
        if CalendarDay.objects.select_for_update().filter(date=date).exists():
            raise exists
        try:
            with transaction.atomic():  # savepoint: a concurrent add of the same date is caught here
                day = CalendarDay.objects.create(date=date, **values)
        except IntegrityError:
            raise exists from None
        config_audit_record(actor=actor, obj=day, kind="ADDED", before={}, after={"date": date, **values},
                            via="page")
        transaction.on_commit(clear_calendar_cache)
    return day


def calendar_day_change(*, actor, day_id, kind: str, name: str = "", note: str = "") -> tuple[CalendarDay, dict]:
    """Change a date's kind, name or note (the date itself is the row's identity: delete and add instead).
    Returns the row and the changed values (empty: nothing changed, nothing written)."""
    require(actor, "calendar.day_change")
    values = _day_values(kind=kind, name=name, note=note)
    with transaction.atomic():
        day = calendar_day_lock(day_id)
        changed = [f for f in DAY_FIELDS if getattr(day, f) != values[f]]
        if not changed:
            return day, {}
        before = {f: getattr(day, f) for f in changed}
        for f in changed:
            setattr(day, f, values[f])
        day.save(update_fields=[*changed, "updated_at"])
        after = {f: values[f] for f in changed}
        config_audit_record(actor=actor, obj=day, kind="CHANGED", before=before, after=after,
                            via="page", data={"date": day.date})
        transaction.on_commit(clear_calendar_cache)
    return day, after


def calendar_day_delete(*, actor, day_id) -> CalendarDay:
    """Remove a date's row: the date falls back to ``chinesecalendar`` or Monday-Friday."""
    require(actor, "calendar.day_change")
    with transaction.atomic():
        day = calendar_day_lock(day_id)
        before = {"date": day.date, **{f: getattr(day, f) for f in DAY_FIELDS}}
        pk = day.pk
        day.delete()
        day.pk = pk
        config_audit_record(actor=actor, obj=day, kind="DELETED", before=before, after={}, via="page")
        transaction.on_commit(clear_calendar_cache)
    return day
