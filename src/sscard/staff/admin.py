"""Outlets, staff and kiosks are configuration: admins edit them here.  App accounts and API tokens are
shown but not edited (tokens are issued by sign-in and ``create_kiosk_token``, only as hashes)."""

from django.contrib import admin

from sscard.core.admin import ReadOnlyAdmin, record_id
from sscard.staff.admin_audit import AuditedAdmin
from sscard.staff.models import ApiToken, CitizenAccount, KioskDevice, Outlet, StaffMember


@admin.register(Outlet)
class OutletAdmin(AuditedAdmin):
    list_display = ("code", "name", "district", "level", "has_signature_pad", "has_digital_archive",
                    "issuance_status", "accepts_pickup", "is_active")
    list_filter = ("level", "district", "issuance_status", "has_signature_pad", "has_digital_archive", "is_active")
    list_editable = ("issuance_status", "is_active")
    search_fields = ("code", "name", "district")


@admin.register(StaffMember)
class StaffMemberAdmin(AuditedAdmin):
    list_display = ("display_name", "user", "role", "outlet")
    list_filter = ("role", "outlet")
    search_fields = ("display_name", "user__username")
    autocomplete_fields = ("user", "outlet")
    list_select_related = ("user", "outlet")


@admin.register(KioskDevice)
class KioskDeviceAdmin(AuditedAdmin):
    list_display = ("code", "outlet", "is_active")
    list_filter = ("outlet", "is_active")
    search_fields = ("code",)


@admin.register(CitizenAccount)
class CitizenAccountAdmin(ReadOnlyAdmin):
    list_display = (record_id, "person", "is_active", "created_at")
    list_filter = ("is_active",)
    exclude = ("password_hash",)


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = (record_id, "kind", "staff", "kiosk", "citizen", "created_at", "expires_at", "revoked")
    list_filter = ("kind", "revoked")
    exclude = ("token_hash",)
