"""Working-day reads: the public entry points for due dates.

    from sscard.workdays.selectors import add_working_days, add_hours, is_working_day, working_day_info

The edited table is read one year at a time and kept in a per-process cache, so a batch of 100,000 rows
costs one or two queries, not 100,000.  Saving or deleting a ``CalendarDay`` / ``CalendarYear`` clears the
cache in the saving process at once; other processes pick the edit up within ``CACHE_SECONDS``.
"""

import datetime as dt
import threading
import time

from sscard.core.errors import NotFound
from sscard.core.ids import row_id
from sscard.workdays import rules
from sscard.workdays.models import CalendarDay, CalendarYear
from sscard.workdays.rules import DueDate, WorkCalendar, YearData

CACHE_SECONDS = 60.0

_cache_lock = threading.Lock()
_cache: dict[int, tuple[float, YearData]] = {}


def clear_calendar_cache() -> None:
    """Forget every cached year (called on any save/delete of the calendar tables)."""
    with _cache_lock:
        _cache.clear()


def load_year(year: int) -> YearData:
    """The edited table's rows and the announced flag of one year, from the database (uncached)."""
    rows = CalendarDay.objects.filter(date__gte=dt.date(year, 1, 1), date__lte=dt.date(year, 12, 31))
    overrides = {day: kind == "workday" for day, kind in rows.values_list("date", "kind")}
    announced = CalendarYear.objects.filter(year=year, announced=True).exists()
    return YearData(overrides=overrides, announced=announced)


def cached_year(year: int) -> YearData:
    """``load_year`` through the per-process cache (time-limited by ``CACHE_SECONDS``)."""
    now = time.monotonic()  # cache age only; business time always comes from sscard.core.clock
    hit = _cache.get(year)
    if hit is not None and now - hit[0] < CACHE_SECONDS:
        return hit[1]
    data = load_year(year)
    with _cache_lock:
        _cache[year] = (now, data)
    return data


def work_calendar() -> WorkCalendar:
    """A calendar object for many questions in a row (e.g. a whole batch)."""
    return WorkCalendar(cached_year)


def working_day_info(d: dt.date) -> tuple[bool, bool]:
    """(is_working, provisional): edited table, else chinesecalendar, else Monday-Friday (provisional)."""
    return work_calendar().info(d)


def is_working_day(d: dt.date) -> bool:
    """Whether ``d`` is a working day (public holidays off, make-up days on)."""
    return work_calendar().is_working(d)


def add_working_days(start: dt.datetime, n: int) -> DueDate:
    """Due date of an N-working-day limit (PROCEDURE.md 工作日; 民法典 §201 first day not counted).

    ``start`` is the aware submission time; the result ends at 23:59:59.999999 Asia/Shanghai of the Nth
    working day after the submission date; ``provisional`` if any day walked lies in an unannounced year.
    """
    return work_calendar().add_working_days(start, n)


def add_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """Plain-hours limit (24 h, 96 h)."""
    return rules.add_hours(start, hours)


# ---------------------------------------------------------------- the settings pages


def calendar_days(*, year: int) -> list[CalendarDay]:
    """The edited rows of one year, by date."""
    return list(CalendarDay.objects.filter(date__year=year).order_by("date"))


def calendar_day_get(day_id) -> CalendarDay:
    pk = row_id(day_id)
    day = CalendarDay.objects.filter(pk=pk).first() if pk else None
    if day is None:
        raise NotFound("CALENDAR_DAY_NOT_FOUND", "未找到该日期的节假日或调休记录")
    return day


def calendar_year_status(year: int) -> dict:
    """Where a year's working days come from: announced (``CalendarYear``), carried by ``chinesecalendar``,
    or only Monday-Friday (due dates provisional)."""
    announced = CalendarYear.objects.filter(year=year, announced=True).exists()
    return {"year": year, "announced": announced, "builtin": rules.chinesecalendar_knows(year),
            "provisional": not announced and not rules.chinesecalendar_knows(year),
            "edited_years": sorted({d.year for d in CalendarDay.objects.dates("date", "year")} | {year})}
