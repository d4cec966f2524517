"""Reads of the outbox: the failed messages (what an operator must look at), counts by state, and the
messages of one business subject."""

from django.db.models import Count, QuerySet

from sscard.notify.choices import MessageState
from sscard.notify.models import OutboxMessage


def messages_failed(*, kind: str | None = None) -> QuerySet[OutboxMessage]:
    """Messages that will not be sent (the gateway's permanent refusal, no phone, too many attempts),
    newest first, with their error code."""
    qs = OutboxMessage.objects.filter(state=MessageState.FAILED)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-updated_at", "-id")


def outbox_counts() -> dict[str, int]:
    """How many messages are in each state (every state listed, zero included)."""
    counts = dict.fromkeys(MessageState.values, 0)
    rows = OutboxMessage.objects.values_list("state").annotate(n=Count("id")).values_list("state", "n")
    counts.update(rows)
    return counts


def messages_for(subject_type: str, subject_id: str) -> QuerySet[OutboxMessage]:
    return OutboxMessage.objects.filter(subject_type=subject_type, subject_id=str(subject_id)).order_by("id")
