"""Writing and verifying the audit chain."""

import datetime as dt
import hashlib
import json
from contextlib import contextmanager
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
    Inside ``audit_deferred()`` the event is built now and appended when that block ends (the returned
    event is saved then).
    """
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("audit_record must run inside the transaction that makes the change")
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown audit event type {event_type!r}: add it to sscard.audit.choices.AuditEventType")
    actor_id = actor.staff_id or actor.kiosk_id or actor.citizen_id
    event = AuditEvent(
        event_type=event_type,
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
    )
    deferred = getattr(conn, "sscard_audit_deferred", None)
    if deferred is not None:
        deferred.hold(conn, event)
    else:
        _append(conn, event)
    return event


def _append(conn, event: AuditEvent) -> None:
    """Chain ``event`` to the head (locked from here to the commit) and save it."""
    head, _ = AuditChainHead.objects.select_for_update().get_or_create(id=1)
    _mark_head_held(conn)
    event.at = clock.now()
    event.prev_hash = head.last_hash
    event.hash = compute_hash(head.last_hash, event)
    event.save(force_insert=True)
    head.last_seq = event.seq
    head.last_hash = event.hash
    head.save(update_fields=["last_seq", "last_hash"])


# ---------------------------------------------------------------- the chain head and device I/O
#
# The head is one row, locked from a transaction's first append to its commit: every audited write in
# the city queues on it.  A business that talks to a device (issuance printer, card terminal, ID reader)
# must do so before its first append (``audit_deferred``), never while the head is held; the simulated
# devices refuse to run while it is (``audit_refuse_chain_head``), so a regression fails the tests.


class AuditChainHeadHeld(RuntimeError):
    """Device I/O was attempted while this transaction holds the audit chain head (a programming error)."""


class _Kept:
    """No-op on-commit entry of a held-back event.  Django drops it at the rollback of a savepoint it was
    registered in (and at commit or rollback), so while it is listed the event's change still stands."""

    __slots__ = ()

    def __call__(self) -> None:
        pass


class _Deferred:
    """The events ``audit_deferred`` holds back, each with the savepoint check it needs."""

    def __init__(self, depth: int) -> None:
        self.depth = depth  # savepoints open when the block began
        self.events: list[tuple[AuditEvent, _Kept | None]] = []

    def hold(self, conn, event: AuditEvent) -> None:
        kept = None
        if len(conn.savepoint_ids) > self.depth:
            # Recorded inside a savepoint of the block: appended only if that savepoint is not rolled back,
            # which Django tells by keeping (or dropping) an on-commit entry registered here.
            kept = _Kept()
            conn.on_commit(kept)
        self.events.append((event, kept))

    def flush(self, conn) -> None:
        live = ({id(func) for _, func, _ in conn.run_on_commit if type(func) is _Kept}
                if any(kept is not None for _, kept in self.events) else set())
        for event, kept in self.events:
            if kept is None or id(kept) in live:
                _append(conn, event)


@contextmanager
def audit_deferred():
    """Hold back the audit events recorded in the block; append them, in order, when it ends.

    For a business that talks to a device: the events of what it did before the device call (person
    created, evidence archived, fee settled ...) reach the chain after the call, so the chain head is not
    held while the printer prints.  Use inside the business's transaction (``with transaction.atomic(),
    audit_deferred():``); the events are appended at the end of the block, still inside it, and commit
    or roll back with the change.  An exception out of the block drops them; an event recorded in a
    savepoint that was rolled back is dropped with it.  A nested block joins the outer one.  Outside any
    business transaction (autocommit, or only a test case's) it does nothing: each service then appends
    in its own transaction.
    """
    conn = transaction.get_connection()
    if not conn.in_atomic_block or _business_scope(conn) is False or \
            getattr(conn, "sscard_audit_deferred", None) is not None:
        yield
        return
    deferred = conn.sscard_audit_deferred = _Deferred(len(conn.savepoint_ids))
    try:
        yield
    finally:
        conn.sscard_audit_deferred = None
    if not conn.needs_rollback:
        deferred.flush(conn)


def _business_scope(conn):
    """Which transaction is the business's: ``None`` for the connection's own (outermost) one; under a
    test case's wrapping transaction, the savepoint id of the first block the test did not open;
    ``False`` at test level (no business running)."""
    for i, block in enumerate(conn.atomic_blocks):
        if not block._from_testcase:
            return conn.savepoint_ids[i - 1] if i else None
    return None if not conn.atomic_blocks else False


def _mark_head_held(conn) -> None:
    # Django gives each transaction a new on-commit list (at commit and rollback; also at a savepoint
    # rollback), so "same list, same business scope" means "same transaction, head still locked".
    scope = _business_scope(conn)
    conn.sscard_chain_head = (conn.run_on_commit, scope) if scope is not False else None


def audit_chain_head_held(conn=None) -> bool:
    """Whether the current business transaction holds the chain head (has appended an event).

    Cheap (no query).  After a savepoint rollback later in the transaction it answers False even if the
    head is still held: the guard may miss such a case, but does not refuse a device wrongly.
    """
    conn = conn or transaction.get_connection()
    held = getattr(conn, "sscard_chain_head", None)
    if held is None:
        return False
    if not conn.in_atomic_block or held[0] is not conn.run_on_commit:
        conn.sscard_chain_head = None  # that transaction has ended (or rolled back to a savepoint)
        return False
    return _business_scope(conn) == held[1]


def audit_refuse_chain_head(device: str) -> None:
    """Raise ``AuditChainHeadHeld`` when the current transaction holds the chain head: ``device`` must
    not be used then (the simulated devices call this first)."""
    if audit_chain_head_held():
        raise AuditChainHeadHeld(
            f"{device} called while this transaction holds the audit chain head: every audited write would "
            "wait for the device.  Call the device before the first audit_record of the transaction "
            "(wrap the business in audit.services.audit_deferred()) or after its commit.")


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
