"""Reading the audit trail in tests."""

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
