"""Admin: employers are edited as audited configuration; handlers are only viewed (services write them)."""

from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin, record_id
from sscard.employers.models import Employer, EmployerHandler
from sscard.staff.admin_audit import AuditedAdmin


@admin.register(Employer)
class EmployerAdmin(AuditedAdmin):
    list_display = ("uscc", "name", "registered_outlet", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("uscc", "name")
    # The contact phone is shown masked and not editable here, so the audit snapshot never holds it in clear.
    fields = ("uscc", "name", "address", "masked_phone", "registered_outlet", "is_active", "created_at")
    readonly_fields = ("uscc", "masked_phone", "created_at")

    @admin.display(description="联系电话")
    def masked_phone(self, obj):
        return obj.masked_contact_phone

    def has_add_permission(self, request):
        return False  # registration validates the code and audits: done through the service / API

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(EmployerHandler)
class EmployerHandlerAdmin(ReadOnlyAdmin):
    list_display = (record_id, "employer", "handler_name", "is_active", "created_at")
    list_filter = ("is_active",)
    search_fields = ("employer__uscc", "employer__name")
    fields = ("employer", "handler_name", "is_active", "created_at")
    readonly_fields = fields

    @admin.display(description="经办人")
    def handler_name(self, obj):
        return str(obj.person)
