from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin
from sscard.fees.models import FeeRule, Payment
from sscard.staff.admin_audit import AuditedAdmin


@admin.register(FeeRule)
class FeeRuleAdmin(AuditedAdmin):
    """The fee schedule is data: admins change amounts here, not in code."""

    list_display = ("business", "reason", "amount_fen", "is_active", "note", "updated_at")
    list_filter = ("business", "is_active")
    list_editable = ("amount_fen", "is_active")


@admin.register(Payment)
class PaymentAdmin(ReadOnlyAdmin):
    """Payments are written only by ``payment_record`` (audited); the admin may look, never change."""

    list_display = ("receipt_no", "amount_fen", "method", "offset_reference", "subject_type", "subject_id",
                    "actor_name", "outlet_id", "created_at")
    list_filter = ("method",)
    search_fields = ("receipt_no", "offset_reference", "subject_id")

