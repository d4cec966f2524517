from django.contrib import admin

from sscard.workdays.models import CalendarDay, CalendarYear


@admin.register(CalendarDay)
class CalendarDayAdmin(admin.ModelAdmin):
    list_display = ("date", "kind", "name", "note", "updated_at")
    list_filter = ("kind",)
    search_fields = ("name", "note")
    date_hierarchy = "date"
    ordering = ("-date",)


@admin.register(CalendarYear)
class CalendarYearAdmin(admin.ModelAdmin):
    list_display = ("year", "announced", "source", "note", "updated_at")
    list_filter = ("announced", "source")
    ordering = ("-year",)
