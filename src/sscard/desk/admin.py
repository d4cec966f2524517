"""Businesses (ServiceRequest) in the admin: look only; every change goes through the desk services."""

from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin
from sscard.desk.models import ServiceRequest


@admin.register(ServiceRequest)
class ServiceRequestAdmin(ReadOnlyAdmin):
    list_display = ("request_no", "business", "channel", "applicant_role", "status", "outlet", "due_at",
                    "actor_name", "created_at", "completed_at")
    list_filter = ("status", "business", "channel", "outlet")
    search_fields = ("request_no", "voucher_no", "tracking_no")
    date_hierarchy = "created_at"
    list_select_related = ("outlet",)
    exclude = ("materials", "payload")

