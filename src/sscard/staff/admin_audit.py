"""Admin edits of configuration are audited like any state change (who, before, after)."""

from django.contrib import admin
from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.policy.choices import Channel
from sscard.staff.actors import Actor
from sscard.staff.models import StaffMember

CONFIG_EVENTS = {"ADDED": AuditEventType.CONFIG_ADDED, "CHANGED": AuditEventType.CONFIG_CHANGED,
                 "DELETED": AuditEventType.CONFIG_DELETED}


def _admin_actor(request):
    staff = StaffMember.objects.filter(user=request.user).first()
    if staff is not None:
        return Actor.for_staff(staff)
    return Actor(kind="staff", role="admin", name=request.user.get_username(), channel=Channel.BACK_OFFICE,
                 user_id=request.user.pk)


def _snapshot(obj, fields) -> dict:
    """Plain values of the named fields (foreign keys as ids), for the audit event's before/after."""
    out = {}
    for name in fields:
        try:
            field = obj._meta.get_field(name)
        except Exception:  # a form-only field: nothing stored to record
            continue
        if field.concrete:
            out[field.attname] = getattr(obj, field.attname)
    return out


class AuditedAdmin(admin.ModelAdmin):
    """Configuration edited in the admin (fees, calendar, outlets, staff, kiosks) is a state change too:
    every add, change and delete writes an audit event with the fields before and after."""

    def _audit(self, request, obj, kind: str, before: dict, after: dict) -> None:
        with transaction.atomic():
            audit_record(event_type=CONFIG_EVENTS[kind], actor=_admin_actor(request),
                         subject_type=obj._meta.label_lower, subject_id=obj.pk, before=before, after=after,
                         data={"via": "admin"})

    def save_model(self, request, obj, form, change):
        fields = list(form.changed_data) if change else [f.name for f in obj._meta.concrete_fields]
        before = {}
        if change:
            old = type(obj).objects.filter(pk=obj.pk).first()
            before = _snapshot(old, fields) if old is not None else {}
        super().save_model(request, obj, form, change)
        self._audit(request, obj, "CHANGED" if change else "ADDED", before, _snapshot(obj, fields))

    def delete_model(self, request, obj):
        fields = [f.name for f in obj._meta.concrete_fields]
        before = _snapshot(obj, fields)
        pk = obj.pk
        super().delete_model(request, obj)
        obj.pk = pk
        self._audit(request, obj, "DELETED", before, {})

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            self.delete_model(request, obj)
