"""The import_holidays management command."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command

from sscard.audit.models import AuditEvent
from sscard.workdays.models import CalendarDay, CalendarYear
from sscard.workdays.selectors import working_day_info

pytestmark = pytest.mark.django_db


def run(*args):
    out = io.StringIO()
    call_command("import_holidays", *args, stdout=out)
    return out.getvalue()


def test_from_chinesecalendar_is_idempotent():
    out = run("--from-chinesecalendar", "2026")
    assert "created=39 updated=0 unchanged=0" in out
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 10)).kind == "workday"
    assert CalendarDay.objects.get(date=dt.date(2026, 10, 1)).name == "国庆节"
    assert CalendarYear.objects.get(year=2026).source == "chinesecalendar"
    out = run("--from-chinesecalendar", "2026")
    assert "created=0 updated=0 unchanged=39" in out
    assert CalendarDay.objects.count() == 39
    assert AuditEvent.objects.filter(event_type="CALENDAR_IMPORTED").count() == 2


def test_unknown_year_for_chinesecalendar_is_refused():
    with pytest.raises(CommandError, match="2027"):
        run("--from-chinesecalendar", "2027")
    assert CalendarDay.objects.count() == 0


def test_file_import_for_a_new_year(tmp_path):
    path = tmp_path / "notice_2027.csv"
    path.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-20,workday,春节调休上班\n", encoding="utf-8")
    assert working_day_info(dt.date(2027, 1, 1)) == (True, True)
    out = run("--file", str(path))
    assert "created=2 updated=0 unchanged=0" in out
    assert working_day_info(dt.date(2027, 1, 1)) == (False, False)
    assert working_day_info(dt.date(2027, 2, 20)) == (True, False)  # a Saturday
    assert working_day_info(dt.date(2027, 3, 1)) == (True, False)  # announced year: not provisional
    path.write_text("date,kind,name\n2027-01-01,holiday,元旦节\n2027-02-20,workday,春节调休上班\n", encoding="utf-8")
    assert "created=0 updated=1 unchanged=1" in run("--file", str(path))


def test_bad_file_saves_nothing(tmp_path):
    path = tmp_path / "bad.csv"
    path.write_text("date,kind,name\n2027-01-01,holiday,元旦\n2027-02-30,holiday,错\n", encoding="utf-8")
    with pytest.raises(CommandError, match="第 3 行"):
        run("--file", str(path))
    assert CalendarDay.objects.count() == 0
    assert CalendarYear.objects.count() == 0
    with pytest.raises(CommandError, match="无法读取"):
        run("--file", str(tmp_path / "missing.csv"))
