"""Pure working-day rules (no database): chinesecalendar data, fallbacks, day boundaries."""

import datetime as dt

import pytest

from sscard.workdays import rules
from sscard.workdays.rules import SHANGHAI, static_calendar


def local(y, m, d, h=10, minute=0):
    return dt.datetime(y, m, d, h, minute, tzinfo=SHANGHAI)


def close_of(y, m, d):
    return dt.datetime(y, m, d, 23, 59, 59, 999999, tzinfo=SHANGHAI)


def test_friday_plus_five_ends_next_friday_close():
    due = static_calendar().add_working_days(local(2026, 3, 6, 15), 5)  # Friday
    assert due.due_at == close_of(2026, 3, 13)
    assert due.provisional is False


def test_submission_day_is_not_counted_even_at_midnight():
    due = static_calendar().add_working_days(local(2026, 3, 9, 0, 0), 1)  # Monday 00:00
    assert due.due_at == close_of(2026, 3, 10)


def test_national_day_week_2026_and_make_up_saturday():
    cal = static_calendar()
    # chinesecalendar 2026: Oct 1-7 off, Saturday Oct 10 a make-up working day.
    assert [cal.is_working(dt.date(2026, 10, d)) for d in range(1, 8)] == [False] * 7
    assert cal.info(dt.date(2026, 10, 10)) == (True, False)
    due = cal.add_working_days(local(2026, 9, 30), 5)  # Wednesday before the holiday
    # Oct 8 Thu, 9 Fri, 10 Sat (make-up), 12 Mon, 13 Tue.
    assert due.due_at == close_of(2026, 10, 13)
    assert cal.add_working_days(local(2026, 9, 30), 10).due_at == close_of(2026, 10, 20)


def test_make_up_sunday_before_national_day_counts():
    cal = static_calendar()
    assert cal.is_working(dt.date(2026, 9, 20))  # Sunday, 调休上班
    due = cal.add_working_days(local(2026, 9, 19), 1)  # Saturday submission
    assert due.due_at == close_of(2026, 9, 20)


def test_utc_submission_is_counted_from_the_shanghai_date():
    # Thursday 17:00 UTC is Friday 01:00 in Chongqing: counting starts on Saturday.
    start = dt.datetime(2026, 3, 5, 17, 0, tzinfo=dt.UTC)
    due = static_calendar().add_working_days(start, 5)
    assert due.due_at == close_of(2026, 3, 13)


def test_override_beats_chinesecalendar():
    cal = static_calendar({dt.date(2026, 3, 10): False, dt.date(2026, 3, 8): True})
    assert cal.info(dt.date(2026, 3, 10)) == (False, False)
    assert cal.info(dt.date(2026, 3, 8)) == (True, False)  # a Sunday made a working day
    # Fri 6 -> Sun 8 (1), Mon 9 (2), Wed 11 (3), Thu 12 (4), Fri 13 (5)
    assert cal.add_working_days(local(2026, 3, 6), 5).due_at == close_of(2026, 3, 13)


def test_unknown_year_falls_back_to_monday_friday_provisional():
    cal = static_calendar()
    assert cal.info(dt.date(2027, 1, 4)) == (True, True)  # Monday
    assert cal.info(dt.date(2027, 1, 2)) == (False, True)  # Saturday
    # Friday Dec 25 2026 + 5: Dec 28-31 are known, Jan 1 2027 is only a Mon-Fri guess.
    due = cal.add_working_days(local(2026, 12, 25), 5)
    assert due.due_at == close_of(2027, 1, 1)
    assert due.provisional is True
    assert cal.add_working_days(local(2026, 12, 21), 4).provisional is False


def test_announced_year_is_not_provisional():
    cal = static_calendar({dt.date(2027, 1, 1): False}, announced_years={2027})
    assert cal.info(dt.date(2027, 1, 4)) == (True, False)
    due = cal.add_working_days(local(2026, 12, 25), 5)
    assert due.due_at == close_of(2027, 1, 4)
    assert due.provisional is False


@pytest.mark.parametrize("n", [0, -1, True, 1.5, rules.MAX_WORKING_DAYS + 1])
def test_bad_counts_are_refused(n):
    with pytest.raises(ValueError):
        static_calendar().add_working_days(local(2026, 3, 6), n)


def test_naive_datetimes_are_refused():
    with pytest.raises(ValueError):
        static_calendar().add_working_days(dt.datetime(2026, 3, 6, 10), 5)
    with pytest.raises(ValueError):
        rules.add_hours(dt.datetime(2026, 3, 6, 10), 24)


def test_add_hours_is_plain_hours_across_holidays():
    start = local(2026, 9, 30, 9)
    assert rules.add_hours(start, 96) == local(2026, 10, 4, 9)
    assert rules.add_hours(start, 24) == local(2026, 10, 1, 9)


def test_chinesecalendar_year_rows_have_chinese_names():
    rows = rules.chinesecalendar_year(2026)
    assert (dt.date(2026, 10, 1), "holiday", "国庆节") in rows
    assert (dt.date(2026, 10, 10), "workday", "国庆节调休上班") in rows
    assert len([r for r in rows if r[1] == "workday"]) == 6
    assert rules.chinesecalendar_knows(2026) and not rules.chinesecalendar_knows(2027)


def test_parse_csv_good_and_bad():
    text = "\ufeffdate,kind,name\n2027-01-01,holiday,元旦\n\n2027-02-06,workday,春节调休上班\n"
    assert rules.parse_calendar_csv(text) == [
        (dt.date(2027, 1, 1), "holiday", "元旦"), (dt.date(2027, 2, 6), "workday", "春节调休上班")]
    for bad, where in [
        ("day,kind,name\n2027-01-01,holiday,x\n", "第 1 行"),
        ("date,kind,name\n2027-13-01,holiday,x\n", "第 2 行"),
        ("date,kind,name\n2027-01-01,holiday,x\n2027-01-02,rest,x\n", "第 3 行"),
        ("date,kind,name\n2027-01-01,holiday,x\n2027-01-01,holiday,x\n", "重复"),
        ("date,kind,name\n2027-01-01,holiday\n", "3 列"),
        ("date,kind,name\n", "没有"),
    ]:
        with pytest.raises(ValueError, match=where):
            rules.parse_calendar_csv(bad)
