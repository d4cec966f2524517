"""Keep the working-day cache honest: any edit of the calendar tables clears it."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from sscard.workdays.models import CalendarDay, CalendarYear
from sscard.workdays.selectors import clear_calendar_cache


@receiver([post_save, post_delete], sender=CalendarDay, dispatch_uid="workdays_day_changed")
@receiver([post_save, post_delete], sender=CalendarYear, dispatch_uid="workdays_year_changed")
def _calendar_changed(**kwargs):
    clear_calendar_cache()
