"""The writers of the outbox outside the relay: ``notify_enqueue`` (the businesses), called inside the
business's own transaction, so that a message exists exactly when the business committed (a rollback
sends nothing); delivery happens later, after the commit, in the relay (``notify.relay``).
``messages_retry`` (an operator's command) queues failed messages again."""

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.core import clock
from sscard.notify.choices import MessageState
from sscard.notify.models import OutboxMessage
from sscard.notify.rules import event_key, render


def notify_enqueue(*, kind: str, recipient: str, person_id: int, subject: tuple[str, str],
                   params: dict) -> OutboxMessage:
    """Queue one SMS to ``person_id`` about ``subject`` (``(subject_type, subject_id)``), its text rendered
    now from ``params`` (``rules.TEMPLATES``).  Once per business event: the same kind for the same subject
    again adds nothing and returns the message already queued.  Not audited per message (the business's
    own event is); failures are listed by ``selectors.messages_failed``.

    Must run inside the business's transaction (one INSERT of its own row, no lock another writer needs).
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("notify_enqueue must run inside the business's transaction")
    subject_type, subject_id = subject[0], str(subject[1])
    key = event_key(kind, subject_type, subject_id)
    existing = OutboxMessage.objects.filter(idempotency_key=key).first()
    if existing is not None:
        return existing
    now = clock.now()
    return OutboxMessage.objects.create(
        kind=kind, recipient=recipient, person_id=person_id, subject_type=subject_type, subject_id=subject_id,
        text=render(kind, params), idempotency_key=key, state=MessageState.PENDING, next_attempt_at=now,
        created_at=now, updated_at=now)


def messages_retry(*, actor, ids: list[int] | None = None) -> list[int]:
    """Send failed messages again (the gateway was down past every attempt, the person's phone has been
    corrected): back to ``pending``, attempts restarted, due now, the same idempotency key (so a message
    the gateway did deliver is still not delivered twice).  ``ids`` None: every failed message.  Audited
    ``NOTIFICATIONS_RETRIED`` listing them; returns their ids (none failed: nothing written)."""
    with transaction.atomic():
        qs = OutboxMessage.objects.select_for_update().filter(state=MessageState.FAILED)
        if ids is not None:
            qs = qs.filter(pk__in=ids)
        moved = list(qs.order_by("id").values_list("pk", flat=True))
        if not moved:
            return []
        now = clock.now()
        OutboxMessage.objects.filter(pk__in=moved).update(state=MessageState.PENDING, attempts=0,
                                                         next_attempt_at=now, updated_at=now)
        audit_record(event_type=AuditEventType.NOTIFICATIONS_RETRIED, actor=actor,
                     subject_type="outbox_message", subject_id=moved[0], data={"messages": moved})
    return moved
