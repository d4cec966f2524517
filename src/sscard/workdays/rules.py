"""Working days and due dates: pure functions, no database access.

PROCEDURE.md, 工作日: public holidays are off, make-up working days (调休) are on.  A limit of N working
days counts from the day after submission (民法典 §201: the first day is not counted) and ends at the close
of the Nth working day (23:59:59.999999 Asia/Shanghai).  24-hour and 96-hour limits are plain hours.

Where a day's status comes from, first match wins:

1. the admin-edited table (``CalendarDay``), passed in as ``overrides``;
2. the ``chinesecalendar`` package, for the years it carries;
3. Monday-Friday, flagged *provisional* unless the year is recorded as announced (``CalendarYear``).
"""

import csv
import datetime as dt
import io
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import chinese_calendar
from chinese_calendar.constants import holidays, workdays

SHANGHAI = ZoneInfo("Asia/Shanghai")
MAX_WORKING_DAYS = 3660  # guards the day-by-day walk against absurd inputs

# English holiday names of ``chinese_calendar.Holiday`` -> the Chinese names used on the table.
HOLIDAY_NAMES_ZH = {
    "New Year's Day": "元旦",
    "Spring Festival": "春节",
    "Tomb-sweeping Day": "清明节",
    "Labour Day": "劳动节",
    "Dragon Boat Festival": "端午节",
    "National Day": "国庆节",
    "Mid-autumn Festival": "中秋节",
    "Anti-Fascist 70th Day": "抗战胜利70周年纪念日",
}


@dataclass(frozen=True)
class DueDate:
    """The end of a working-day limit; ``provisional`` when a counted day lies in an unannounced year."""

    due_at: dt.datetime
    provisional: bool


@dataclass(frozen=True)
class YearData:
    """What the edited table says about one year: date -> is_working, and whether it is announced."""

    overrides: Mapping[dt.date, bool]
    announced: bool


def builtin_working_day(d: dt.date) -> bool | None:
    """``chinesecalendar``'s answer, or ``None`` for a year the package does not carry."""
    try:
        return chinese_calendar.is_workday(d)
    except NotImplementedError:
        return None


def chinesecalendar_knows(year: int) -> bool:
    return builtin_working_day(dt.date(year, 6, 1)) is not None


def chinesecalendar_year(year: int) -> list[tuple[dt.date, str, str]]:
    """The package's holidays and make-up working days of ``year`` as (date, kind, Chinese name)."""
    rows = []
    for source, kind, suffix in ((holidays, "holiday", ""), (workdays, "workday", "调休上班")):
        for day, name in source.items():
            if day.year == year:
                rows.append((day, kind, HOLIDAY_NAMES_ZH.get(str(name), str(name)) + suffix))
    rows.sort()
    return rows


def end_of_day(d: dt.date) -> dt.datetime:
    """The close of a local (Asia/Shanghai) day: 23:59:59.999999."""
    return dt.datetime.combine(d, dt.time.max, tzinfo=SHANGHAI)


def local_date(at: dt.datetime) -> dt.date:
    if at.tzinfo is None or at.utcoffset() is None:
        raise ValueError("an aware datetime is required")
    return at.astimezone(SHANGHAI).date()


def add_hours(start: dt.datetime, hours: int) -> dt.datetime:
    """A plain-hours limit (24 h when devices fail, 96 h activation after batch pick-up)."""
    if start.tzinfo is None or start.utcoffset() is None:
        raise ValueError("an aware datetime is required")
    return start + dt.timedelta(hours=hours)


class WorkCalendar:
    """Answers working-day questions from per-year table data fetched once per year by ``load_year``.

    ``load_year(year) -> YearData`` is the only source of edited data, so one calendar object used for a
    whole batch costs at most one lookup per year touched.
    """

    def __init__(self, load_year: Callable[[int], YearData]):
        self._load_year = load_year
        self._years: dict[int, YearData] = {}

    def _year(self, year: int) -> YearData:
        data = self._years.get(year)
        if data is None:
            data = self._years[year] = self._load_year(year)
        return data

    def info(self, d: dt.date) -> tuple[bool, bool]:
        """(is_working, provisional) for one local date."""
        data = self._year(d.year)
        edited = data.overrides.get(d)
        if edited is not None:
            return edited, False
        builtin = builtin_working_day(d)
        if builtin is not None:
            return builtin, False
        return d.weekday() < 5, not data.announced

    def is_working(self, d: dt.date) -> bool:
        return self.info(d)[0]

    def add_working_days(self, start: dt.datetime, n: int) -> DueDate:
        """Due date of an N-working-day limit started at ``start`` (the submission time).

        Counting begins the day after the submission's local date; the limit ends at the close of the
        Nth working day.  ``provisional`` is true if any day walked over is provisional.
        """
        if isinstance(n, bool) or not isinstance(n, int) or not 1 <= n <= MAX_WORKING_DAYS:
            raise ValueError(f"n must be an integer between 1 and {MAX_WORKING_DAYS}")
        day = local_date(start)
        counted = 0
        provisional = False
        while counted < n:
            day += dt.timedelta(days=1)
            working, guess = self.info(day)
            provisional = provisional or guess
            if working:
                counted += 1
        return DueDate(due_at=end_of_day(day), provisional=provisional)


def static_calendar(overrides: Mapping[dt.date, bool] | None = None,
                    announced_years: set[int] | frozenset[int] = frozenset()) -> WorkCalendar:
    """A calendar over fixed data (no database), for pure tests and what-if checks."""
    overrides = dict(overrides or {})

    def load(year: int) -> YearData:
        return YearData({d: w for d, w in overrides.items() if d.year == year}, year in announced_years)

    return WorkCalendar(load)


CSV_COLUMNS = ("date", "kind", "name")
DAY_KINDS = ("holiday", "workday")


def parse_calendar_csv(text: str) -> list[tuple[dt.date, str, str]]:
    """Parse a State Council holiday notice typed as CSV (``date,kind,name``; header required).

    Every problem raises ``ValueError`` naming the line, so a bad file is refused as a whole.
    """
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff")))
    header = next(reader, None)
    if header is None or tuple(h.strip().lower() for h in header) != CSV_COLUMNS:
        raise ValueError("第 1 行：表头必须是 date,kind,name")
    rows: list[tuple[dt.date, str, str]] = []
    seen: set[dt.date] = set()
    for line_no, cells in enumerate(reader, start=2):
        if not any(c.strip() for c in cells):
            continue
        if len(cells) != 3:
            raise ValueError(f"第 {line_no} 行：应有 3 列（date,kind,name），实有 {len(cells)} 列")
        raw_date, kind, name = (c.strip() for c in cells)
        try:
            day = dt.date.fromisoformat(raw_date)
        except ValueError:
            raise ValueError(f"第 {line_no} 行：日期“{raw_date[:20]}”不是 YYYY-MM-DD 格式") from None
        if kind not in DAY_KINDS:
            raise ValueError(f"第 {line_no} 行：类型“{kind[:20]}”无效，应为 holiday 或 workday")
        if day in seen:
            raise ValueError(f"第 {line_no} 行：日期 {day.isoformat()} 重复")
        if len(name) > 100:
            raise ValueError(f"第 {line_no} 行：名称超过 100 个字符")
        seen.add(day)
        rows.append((day, kind, name))
    if not rows:
        raise ValueError("文件中没有任何日期")
    return rows
