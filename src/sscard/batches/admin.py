"""Admin: batches and their rows are viewed only (services write them); row data stays encrypted here."""

from django.contrib import admin

from sscard.batches.models import Batch, BatchRow
from sscard.core.admin import ReadOnlyAdmin


@admin.register(Batch)
class BatchAdmin(ReadOnlyAdmin):
    list_display = ("batch_no", "business", "route", "channel", "employer", "outlet", "status", "total_rows",
                    "accepted_rows", "refused_rows", "submitted_at", "due_at")
    list_filter = ("status", "business", "route", "channel")
    search_fields = ("batch_no", "employer__uscc", "employer__name")
    exclude = ("source_sha256", "scans_sha256")


@admin.register(BatchRow)
class BatchRowAdmin(ReadOnlyAdmin):
    list_display = ("batch", "line_no", "seq", "status", "reason", "request")
    list_filter = ("status",)
    search_fields = ("batch__batch_no",)
    fields = ("batch", "line_no", "seq", "status", "reason", "request", "created_at")  # not the row data
