"""Writing and verifying the audit chain."""

import datetime as dt
import hashlib
import json
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from sscard.audit.choices import EVENT_TYPES
from sscard.audit.models import AuditChainHead, AuditEvent
from sscard.core import clock, context

GENESIS = "0" * 64
_HASHED_FIELDS = (
    "event_type", "at", "actor_kind", "actor_id", "actor_name", "actor_role", "channel", "outlet_id",
    "subject_type", "subject_id", "person_id", "before", "after", "data", "request_id",
)


def _canonical(event: AuditEvent) -> str:
    payload = {}
    for name in _HASHED_FIELDS:
        value = getattr(event, name)
        if name == "at":
            # The database gives times back in UTC: hash the UTC form so the chain verifies.
            value = value.astimezone(dt.timezone.utc).isoformat(timespec="microseconds")
        payload[name] = value
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, cls=DjangoJSONEncoder, separators=(",", ":"))


def compute_hash(prev_hash: str, event: AuditEvent) -> str:
    return hashlib.sha256((prev_hash + "|" + _canonical(event)).encode("utf-8")).hexdigest()


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so the hash covers exactly what the database will give back.
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def audit_record(*, event_type: str, actor, subject_type: str, subject_id, person_id: int | None = None,
                 before: dict | None = None, after: dict | None = None, data: dict | None = None,
                 channel: str | None = None, outlet_id: int | None = None) -> AuditEvent:
    """Append one event.  Must run inside the caller's transaction (the one that made the change).

    ``actor`` is a ``sscard.staff.actors.Actor``; ``channel``/``outlet_id`` default to the actor's.
    """
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction that makes the change")
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown audit event type {event_type!r}: add it to sscard.audit.choices.AuditEventType")
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    actor_id = actor.staff_id or actor.kiosk_id or actor.citizen_id
    event = AuditEvent(
        event_type=event_type,
        at=clock.now(),
        actor_kind=actor.kind,
        actor_id=actor_id,
        actor_name=actor.name,
        actor_role=actor.role,
        channel=channel or actor.channel,
        outlet_id=outlet_id if outlet_id is not None else actor.outlet_id,
        subject_type=subject_type,
        subject_id=str(subject_id),
        person_id=person_id,
        before=_jsonable(before),
        after=_jsonable(after),
        data=_jsonable(data),
        request_id=context.request_id.get(),
        prev_hash=head.last_hash,
    )
    event.hash = compute_hash(head.last_hash, event)
    event.save(force_insert=True)
    head.last_seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["last_seq", "last_hash"])
    return event


def audit_verify_chain(*, batch_size: int = 5000) -> tuple[bool, int | None, str]:
    """Walk the chain in order.  Returns (ok, first_broken_seq, reason)."""
    prev = GENESIS
    last_seq = 0
    count = 0
    qs = AuditEvent.objects.order_by("seq")
    for event in qs.iterator(chunk_size=batch_size):
        count += 1
        if event.prev_hash != prev:
            return False, event.seq, "prev_hash 与上一条记录的哈希不一致（记录被删除、插入或篡改）"
        if compute_hash(prev, event) != event.hash:
            return False, event.seq, "记录内容与其哈希不一致（记录被篡改）"
        prev = event.hash
        last_seq = event.seq
    head = AuditChainHead.objects.filter(id=1).first()
    if head is not None and count and (head.last_hash != prev or head.last_seq != last_seq):
        return False, last_seq, "链尾与链头记录不一致（末尾记录被删除）"
    return True, None, f"{count} 条记录校验通过"
