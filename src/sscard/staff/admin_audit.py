"""Admin edits of configuration are audited like any state change (who, before, after)."""

from django.contrib import admin
from django.db import transaction

from sscard.policy.choices import Channel
from sscard.staff.actors import Actor
from sscard.staff.config_audit import config_audit_record, config_snapshot
from sscard.staff.models import StaffMember


def admin_actor(request):
    """The admin user as an ``Actor`` (a staff member's, or a bare superuser's)."""
    staff = StaffMember.objects.filter(user=request.user).first()
    if staff is not None:
        return Actor.for_staff(staff)
    return Actor(kind="staff", role="admin", name=request.user.get_username(), channel=Channel.BACK_OFFICE,
                 user_id=request.user.pk)


class AuditedAdmin(admin.ModelAdmin):
    """Configuration edited in the admin (fees, calendar, outlets, staff, kiosks) is a state change too:
    every add, change and delete writes an audit event with the fields before and after."""

    def _audit(self, request, obj, kind: str, before: dict, after: dict) -> None:
        with transaction.atomic():
            config_audit_record(actor=admin_actor(request), obj=obj, kind=kind, before=before, after=after,
                                via="admin")

    def save_model(self, request, obj, form, change):
        fields = list(form.changed_data) if change else [f.name for f in obj._meta.concrete_fields]
        before = {}
        if change:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = config_snapshot(old, fields) if old is not None else {}
        super().save_model(request, obj, form, change)
        self._audit(request, obj, "CHANGED" if change else "ADDED", before, config_snapshot(obj, fields))

    def delete_model(self, request, obj):
        fields = [f.name for f in obj._meta.concrete_fields]
        before = config_snapshot(obj, fields)
        pk = obj.pk
        super().delete_model(request, obj)
        obj.pk = pk
        self._audit(request, obj, "DELETED", before, {})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
