"""The one writer of the outbox from the businesses: ``notify_enqueue``, called inside the business's own
transaction, so that a message exists exactly when the business committed (a rollback sends nothing).
Delivery happens later, after the commit, in the relay (``notify.relay``)."""

from django.db import transaction

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
