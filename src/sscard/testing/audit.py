"""Reading the audit trail in tests."""

from contextlib import contextmanager

from django.db import DatabaseError, connection

from sscard.audit.models import AuditEvent


def audit_types(subject_id=None, **filters) -> list[str]:
    """Event types of the audit events, oldest first: those of one subject (``audit_types(req.request_no)``,
    ``audit_types(subject_id=card.card_no)``), of any other filter, or all of them (``audit_types()``)."""
    if subject_id is not None:
        filters["subject_id"] = str(subject_id)
    return list(AuditEvent.objects.filter(**filters).order_by("seq").values_list("event_type", flat=True))


def audit_log_verified():
    """Integrate the pending events (as the sequencer would) and verify the whole log:
    ``(ok, first_bad_seq, reason)``."""
    from sscard.audit.sequencer import audit_integrate  # noqa: PLC0415 - kept with its one caller
    from sscard.audit.verify import audit_verify  # noqa: PLC0415

    audit_integrate()
    return audit_verify()


@contextmanager
def audit_guard_lifted():
    """Run the block as an attacker (or a DBA) with superuser rights would: on PostgreSQL with the audit
    tables' append-only triggers off (``session_replication_role = replica``, superusers only), so a test
    can rewrite audit rows and show the verifier finds it.  Elsewhere nothing to lift."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cur:
        cur.execute("SET session_replication_role = replica")
    try:
        yield
    finally:
        try:
            with connection.cursor() as cur:
                cur.execute("SET session_replication_role = origin")
        except DatabaseError:  # the test's transaction failed: its rollback resets the setting
            pass
