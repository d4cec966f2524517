from django.contrib import admin

from sscard.staff.admin_audit import AuditedAdmin
from sscard.workdays.models import CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(AuditedAdmin):
    list_display = ("date", "kind", "name", "note", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name", "note")
    date_hierarchy = "date"
    ordering = ("-date",)


@admin.register(CalendarYear)
class CalendarYearAdmin(AuditedAdmin):
    list_display = ("year", "announced", "source", "note", "updated_at")
    list_filter = ("announced", "source")
    ordering = ("-year",)
