"""The audit shape of a configuration change (outlets, the fee schedule, the holiday calendar ...), one for
the admin (``admin_audit.AuditedAdmin``) and the settings pages' services: ``CONFIG_ADDED`` /
``CONFIG_CHANGED`` / ``CONFIG_DELETED`` on the row (``<app>.<model>`` and its id), the changed fields
before and after, and where the change was made (``data.via``: ``admin`` or ``page``)."""

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record

CONFIG_EVENTS = {"ADDED": AuditEventType.CONFIG_ADDED, "CHANGED": AuditEventType.CONFIG_CHANGED,
                 "DELETED": AuditEventType.CONFIG_DELETED}


def config_snapshot(obj, fields) -> dict:
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


def config_audit_record(*, actor, obj, kind: str, before: dict, after: dict, via: str, data: dict | None = None):
    """Record one configuration change inside the changing transaction (``kind``: ADDED, CHANGED, DELETED)."""
    return audit_record(event_type=CONFIG_EVENTS[kind], actor=actor, subject_type=obj._meta.label_lower,
                        subject_id=obj.pk, before=before, after=after, data={"via": via, **(data or {})})
