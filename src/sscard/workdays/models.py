"""The admin-edited working-day calendar.

``CalendarDay`` rows override everything else for their date: a public holiday (off) or a make-up
working day (调休, on).  ``CalendarYear`` records that the State Council's holiday notice for a year has
been loaded, so ordinary weekdays and weekends of that year stop being *provisional* even when the
``chinesecalendar`` package does not know the year yet.
"""

from django.db import models

from sscard.core.fields import UpdatedAtField
from sscard.workdays.choices import DayKind, YearSource


class CalendarDay(models.Model):
    """One date whose status differs from (or confirms) the default: holiday or make-up working day.

    Rule: an edited row wins over ``chinesecalendar`` and over the Monday-Friday fallback.
    """

    date = models.DateField("日期", unique=True)
    kind = models.CharField("类型", max_length=10, choices=DayKind.choices)
    name = models.CharField("名称", max_length=100, blank=True, help_text="如 春节、国庆节")
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        ordering = ["date"]
        verbose_name = "节假日/调休日"
        verbose_name_plural = "节假日/调休日"
        constraints = [
            models.CheckConstraint(condition=models.Q(kind__in=DayKind.values),
                                   name="workdays_day_kind_valid"),
        ]

    def __str__(self):
        return f"{self.date.isoformat()} {self.get_kind_display()} {self.name}".strip()


class CalendarYear(models.Model):
    """A year whose holiday arrangement has been announced and loaded into ``CalendarDay``.

    Rule: in a year unknown to ``chinesecalendar``, days without a ``CalendarDay`` row fall back to
    Monday-Friday; the result is provisional unless the year is recorded here as announced.
    """

    year = models.PositiveSmallIntegerField("年份", unique=True)
    announced = models.BooleanField("已公布", default=True,
                                    help_text="该年国务院节假日安排已公布并录入节假日/调休日，计算时限不再视为暂定")
    source = models.CharField("来源", max_length=20, choices=YearSource.choices, default=YearSource.ADMIN)
    note = models.CharField("备注", max_length=200, blank=True)
    updated_at = UpdatedAtField("更新时间")

    class Meta:
        ordering = ["year"]
        verbose_name = "已公布节假日安排的年份"
        verbose_name_plural = "已公布节假日安排的年份"

    def __str__(self):
        return f"{self.year}（{'已公布' if self.announced else '未公布'}）"
