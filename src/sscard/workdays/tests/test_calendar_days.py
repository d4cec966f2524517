"""workdays.services: single days of the calendar added, changed and deleted from the settings pages."""

import datetime as dt

import pytest

from sscard.audit.models import AuditEvent
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sscard.staff.actors import Actor
from sscard.workdays.models import CalendarDay
from sscard.workdays.selectors import add_working_days, calendar_year_status, is_working_day
from sscard.workdays.services import calendar_day_add, calendar_day_change, calendar_day_delete

pytestmark = pytest.mark.django_db
ADMIN = Actor(kind="staff", role="admin", name="管理员", channel="back_office", staff_id=2)
CST = dt.timezone(dt.timedelta(hours=8))
DAY = dt.date(2031, 10, 8)  # a Wednesday of a year chinesecalendar does not carry


def test_a_holiday_moves_a_due_date_and_each_step_is_audited(django_capture_on_commit_callbacks):
    start = dt.datetime(2031, 10, 6, 10, 0, tzinfo=CST)  # Monday
    assert add_working_days(start, 2).due_at.date() == DAY
    with django_capture_on_commit_callbacks(execute=True):
        day = calendar_day_add(actor=ADMIN, date=DAY, kind="holiday", name=" 国庆节 ")
    assert day.name == "国庆节" and not is_working_day(DAY)
    assert add_working_days(start, 2).due_at.date() == dt.date(2031, 10, 9)
    with django_capture_on_commit_callbacks(execute=True):
        _, changed = calendar_day_change(actor=ADMIN, day_id=day.pk, kind="workday", name="国庆节", note="调休")
    assert changed == {"kind": "workday", "note": "调休"} and is_working_day(DAY)
    with django_capture_on_commit_callbacks(execute=True):
        calendar_day_delete(actor=ADMIN, day_id=day.pk)
    assert not CalendarDay.objects.exists() and is_working_day(DAY)
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.event_type for e in events] == ["CONFIG_ADDED", "CONFIG_CHANGED", "CONFIG_DELETED"]
    assert events[0].after == {"date": "2031-10-08", "kind": "holiday", "name": "国庆节", "note": ""}
    assert events[2].before["kind"] == "workday" and events[2].subject_id == str(day.pk)
    assert {e.subject_type for e in events} == {"workdays.calendarday"}


def test_refusals_change_nothing():
    calendar_day_add(actor=ADMIN, date=DAY, kind="holiday")
    with pytest.raises(Conflict):
        calendar_day_add(actor=ADMIN, date=DAY, kind="workday")
    for kw in ({"kind": "party"}, {"kind": "holiday", "name": "节" * 101}, {"kind": "holiday", "note": "注" * 201}):
        with pytest.raises(InvalidInput):
            calendar_day_add(actor=ADMIN, date=DAY + dt.timedelta(days=1), **kw)
    with pytest.raises(InvalidInput):
        calendar_day_add(actor=ADMIN, date="2031-10-09", kind="holiday")
    with pytest.raises(NotFound):
        calendar_day_change(actor=ADMIN, day_id=999999, kind="holiday")
    with pytest.raises(Forbidden):
        calendar_day_delete(actor=Actor(kind="staff", role="auditor", name="审计", channel="back_office"), day_id=1)
    assert CalendarDay.objects.count() == 1 and AuditEvent.objects.count() == 1


def test_the_year_status_says_where_working_days_come_from():
    assert calendar_year_status(2026)["builtin"] and not calendar_year_status(2026)["provisional"]
    status = calendar_year_status(2031)
    assert status["provisional"] and not status["announced"]
