"""Append-only, hash-chained audit trail: one row per state change.

Each row stores the hash of the previous row and its own hash over a canonical JSON of its content, so
any edit, deletion or insertion breaks the chain at a row that ``verify_audit_chain`` names.  Rows hold
masked or hashed personal data only: never a PIN, an image or a full ID number.
"""

from django.db import models


class AuditEvent(models.Model):
    seq = models.BigAutoField(primary_key=True)
    event_type = models.CharField(max_length=64, db_index=True)
    at = models.DateTimeField(db_index=True)
    actor_kind = models.CharField(max_length=10)
    actor_id = models.BigIntegerField(null=True)
    actor_name = models.CharField(max_length=100)
    actor_role = models.CharField(max_length=20)
    channel = models.CharField(max_length=16)
    outlet_id = models.BigIntegerField(null=True)
    subject_type = models.CharField(max_length=40)
    subject_id = models.CharField(max_length=40, db_index=True)
    person_id = models.BigIntegerField(null=True, db_index=True)
    before = models.JSONField(default=dict)
    after = models.JSONField(default=dict)
    data = models.JSONField(default=dict)
    request_id = models.CharField(max_length=64, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    class Meta:
        ordering = ["seq"]

    def save(self, *args, **kwargs):
        if self._state.adding is False:
            raise RuntimeError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise RuntimeError("audit events are append-only")


class AuditChainHead(models.Model):
    """Single row holding the last hash; locking it serialises appends so the chain never forks.

    Services write their audit event as the last step of their transaction, so the lock is held only
    from the append to the commit; a business that talks to a device holds its events back until the
    device is done (``services.audit_deferred``), so the lock is never held during device I/O.
    """

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    last_seq = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
