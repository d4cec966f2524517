"""Outlets, staff and kiosks are configuration: admins edit them here.  App accounts and API tokens are
shown but not edited (tokens are issued by sign-in and ``create_kiosk_token``, only as hashes).

Disabling a staff member, a kiosk or an app account is the action 「停用并结束登录」 of its list
(``sscard.staff.accounts``): it ends the holder's tokens and sessions at once, audited.  A kiosk's
``is_active`` is therefore not edited in the form (only the action turns it off)."""

from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin

from sscard.core.admin import ReadOnlyAdmin, record_id
from sscard.core.errors import DomainError
from sscard.staff import accounts
from sscard.staff.admin_audit import AuditedAdmin, admin_actor
from sscard.staff.models import ApiToken, CitizenAccount, KioskDevice, Outlet, StaffMember


def _disable_action(disable, holder_kw: str):
    @admin.action(description="停用并结束登录（吊销令牌、结束会话）")
    def action(modeladmin, request, queryset):
        actor, done = admin_actor(request), 0
        for obj in queryset:
            try:
                disable(actor=actor, **{holder_kw: obj})
                done += 1
            except DomainError as exc:
                modeladmin.message_user(request, f"{obj}：{exc.message}", messages.WARNING)
        modeladmin.message_user(request, f"已停用 {done} 个账户，其令牌与会话均已结束。", messages.SUCCESS)

    action.__name__ = "disable_and_sign_out"
    return action


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
    actions = [_disable_action(accounts.staff_member_disable, "staff")]


@admin.register(KioskDevice)
class KioskDeviceAdmin(AuditedAdmin):
    list_display = ("code", "outlet", "is_active")
    list_filter = ("outlet", "is_active")
    search_fields = ("code",)
    readonly_fields = ("is_active",)
    actions = [_disable_action(accounts.kiosk_disable, "kiosk")]


@admin.register(CitizenAccount)
class CitizenAccountAdmin(ReadOnlyAdmin):
    list_display = (record_id, "person", "is_active", "created_at")
    list_filter = ("is_active",)
    exclude = ("password_hash",)
    actions = [_disable_action(accounts.citizen_account_disable, "account")]


@admin.register(ApiToken)
class ApiTokenAdmin(ReadOnlyAdmin):
    list_display = (record_id, "kind", "staff", "kiosk", "citizen", "created_at", "expires_at",
                    "last_used_at", "revoked", "revoked_reason")
    list_filter = ("kind", "revoked", "revoked_reason")
    exclude = ("token_hash",)


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class SignInUserAdmin(UserAdmin):
    """Django's user admin, where switching ``is_active`` off goes through ``accounts.user_disable``: the
    user's tokens and sessions end with it, audited."""

    def save_model(self, request, obj, form, change):
        switched_off = change and "is_active" in form.changed_data and not obj.is_active
        if switched_off:
            obj.is_active = True  # the service switches it off, with the tokens and sessions
        super().save_model(request, obj, form, change)
        if switched_off:
            accounts.user_disable(actor=admin_actor(request), user_id=obj.pk)
            obj.is_active = False
