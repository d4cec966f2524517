"""Writers of the working-day calendar (admin edits go through Django admin; imports come here)."""

from dataclasses import dataclass

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core.errors import InvalidInput
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
