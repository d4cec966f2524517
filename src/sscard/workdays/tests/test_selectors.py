"""Due dates through the database-backed calendar, with a frozen clock."""

import datetime as dt

import pytest

from sscard.core import clock
from sscard.workdays.models import CalendarDay, CalendarYear
from sscard.workdays.rules import SHANGHAI, DueDate
from sscard.workdays.selectors import add_hours, add_working_days, is_working_day, working_day_info

pytestmark = pytest.mark.django_db


def close_of(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=SHANGHAI)


def test_app_application_five_working_days_from_frozen_now():
    clock.freeze(dt.datetime(2026, 3, 6, 16, 30, tzinfo=SHANGHAI))  # Friday afternoon
    due = add_working_days(clock.now(), 5)
    assert due.due_at == close_of(2026, 3, 13)
    assert not due.provisional


def test_national_day_batch_ten_working_days():
    clock.freeze(dt.datetime(2026, 9, 30, 11, 0, tzinfo=SHANGHAI))
    due = add_working_days(clock.now(), 10)
    assert due.due_at == close_of(2026, 10, 20)


def test_edited_holiday_overrides_and_cache_follows_the_edit():
    friday = dt.datetime(2026, 3, 6, 9, 0, tzinfo=SHANGHAI)
    assert is_working_day(dt.date(2026, 3, 10))
    assert add_working_days(friday, 5).due_at == close_of(2026, 3, 13)
    day = CalendarDay.objects.create(date=dt.date(2026, 3, 10), kind="holiday", name="临时休假")
    assert working_day_info(dt.date(2026, 3, 10)) == (False, False)
    assert add_working_days(friday, 5).due_at == close_of(2026, 3, 16)
    day.delete()
    assert is_working_day(dt.date(2026, 3, 10))


def test_edited_make_up_day_counts():
    CalendarDay.objects.create(date=dt.date(2026, 3, 7), kind="workday", name="调休上班")
    due = add_working_days(dt.datetime(2026, 3, 6, 9, 0, tzinfo=SHANGHAI), 5)
    assert due.due_at == close_of(2026, 3, 12)


def test_2027_is_provisional_until_announced():
    clock.freeze(dt.datetime(2027, 3, 5, 9, 0, tzinfo=SHANGHAI))  # Friday
    due = add_working_days(clock.now(), 5)
    assert due.due_at == close_of(2027, 3, 12)
    assert due.provisional is True
    assert working_day_info(dt.date(2027, 3, 6)) == (False, True)
    CalendarYear.objects.create(year=2027, source="file")
    due = add_working_days(clock.now(), 5)
    assert due.due_at == close_of(2027, 3, 12)
    assert due.provisional is False


def test_many_due_dates_cost_a_handful_of_queries(django_assert_max_num_queries):
    start = dt.datetime(2026, 12, 20, 9, 0, tzinfo=SHANGHAI)
    with django_assert_max_num_queries(4):  # two years, two small queries each
        dues = {add_working_days(start + dt.timedelta(seconds=i), 10) for i in range(5000)}
    assert dues == {DueDate(close_of(2027, 1, 1), provisional=True)}


def test_add_hours_ninety_six():
    clock.freeze(dt.datetime(2026, 10, 1, 8, 0, tzinfo=SHANGHAI))
    assert add_hours(clock.now(), 96) == dt.datetime(2026, 10, 5, 8, 0, tzinfo=SHANGHAI)
