"""Writing audit events: each in the transaction that makes its change, with no shared lock.

The sequencer (``audit.sequencer``) later makes the committed events leaves of the signed tree, and
``audit.verify`` checks them; see ``audit.models``.
"""

import json
import secrets
from contextlib import contextmanager
from typing import Any, Iterable

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction

from sscard.audit.choices import EVENT_TYPES
from sscard.audit.hashing import event_hash
from sscard.audit.models import AuditEvent, AuditPending
from sscard.core import clock, context


def _jsonable(value: dict[str, Any] | None) -> dict[str, Any]:
    # Round-trip through JSON so the hash covers exactly what the database will give back.
    return json.loads(json.dumps(value or {}, cls=DjangoJSONEncoder, ensure_ascii=False))


def audit_record(*, event_type: str, actor, subject_type: str, subject_id, person_id: int | None = None,
                 before: dict | None = None, after: dict | None = None, data: dict | None = None,
                 channel: str | None = None, outlet_id: int | None = None) -> AuditEvent:
    """Append one event.  Must run inside the caller's transaction (the one that made the change); it
    locks nothing another writer needs.

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


def _seal(event: AuditEvent) -> None:
    """Stamp ``event`` with its time, nonce and content hash (what it is appended with)."""
    event.at = clock.now()
    event.nonce = secrets.token_hex(8)
    event.hash = event_hash(event)


def _append(conn, event: AuditEvent) -> None:
    """Save ``event`` with its content hash and queue it for the sequencer (no shared row is touched)."""
    _mark_written(conn)
    _seal(event)
    event.save(force_insert=True)
    AuditPending.objects.create(event_id=event.seq)


def _append_all(conn, events: list[AuditEvent]) -> None:
    """Append ``events`` in order, each sealed as ``_append`` does, in two statements (one multi-row insert
    of the events, one of their queue rows): what ``audit_deferred`` does with a business's events."""
    if len(events) == 1:
        _append(conn, events[0])
        return
    if not events:
        return
    _mark_written(conn)
    for event in events:
        _seal(event)
    AuditEvent.objects.bulk_create(events)  # the primary keys come back in order (RETURNING)
    AuditPending.objects.bulk_create([AuditPending(event_id=event.seq) for event in events])


def audit_record_many(*, event_type: str, actor, rows: Iterable[dict[str, Any]], channel: str | None = None,
                      outlet_id: int | None = None, batch_size: int = 2000) -> int:
    """Append one event per row in bulk (a sweep's or a batch's chunk): each row is a dict of
    ``subject_type``, ``subject_id`` and optionally ``person_id``, ``before``, ``after``, ``data``.
    Same rules as ``audit_record``: inside the changing transaction, a registered event type.  Returns
    the number of events written."""
    conn = transaction.get_connection()
    if not conn.in_atomic_block:
        raise RuntimeError("audit_record_many must run inside the transaction that makes the change")
    if event_type not in EVENT_TYPES:
        raise ValueError(f"unknown audit event type {event_type!r}: add it to sscard.audit.choices.AuditEventType")
    _mark_written(conn)
    at = clock.now()
    request_id = context.request_id.get()
    common = dict(event_type=event_type, at=at, actor_kind=actor.kind,
                  actor_id=actor.staff_id or actor.kiosk_id or actor.citizen_id, actor_name=actor.name,
                  actor_role=actor.role, channel=channel or actor.channel,
                  outlet_id=outlet_id if outlet_id is not None else actor.outlet_id, request_id=request_id)
    events = []
    for row in rows:
        event = AuditEvent(subject_type=row["subject_type"], subject_id=str(row["subject_id"]),
                           person_id=row.get("person_id"), before=_jsonable(row.get("before")),
                           after=_jsonable(row.get("after")), data=_jsonable(row.get("data")),
                           nonce=secrets.token_hex(8), **common)
        event.hash = event_hash(event)
        events.append(event)
    written = 0
    for i in range(0, len(events), batch_size):
        chunk = AuditEvent.objects.bulk_create(events[i:i + batch_size])
        AuditPending.objects.bulk_create([AuditPending(event_id=e.seq) for e in chunk])
        written += len(chunk)
    return written


# ---------------------------------------------------------------- audited writes and device I/O
#
# An audited business records its events as the last writes of its transaction, when it holds the locks
# of its change (the card, the request): a device call after that would keep those rows locked for as
# long as the printer prints.  A business that talks to a device (issuance printer, card terminal, ID
# reader) does so before its first append (``audit_deferred``) or after its commit; the simulated devices
# refuse to run once the transaction has appended (``audit_refuse_after_write``), so a regression fails
# the tests.


class DeviceCalledAfterWrite(RuntimeError):
    """Device I/O was attempted after this transaction appended its audit events (a programming error)."""


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
        _append_all(conn, [event for event, kept in self.events if kept is None or id(kept) in live])


@contextmanager
def audit_deferred():
    """Hold back the audit events recorded in the block; append them, in order, when it ends, in one
    multi-row insert (with one of their queue rows): a business's N events cost two statements.

    For a business that talks to a device: the events of what it did before the device call (person
    created, evidence archived, fee settled ...) are written after the call, so the device guard
    (``audit_refuse_after_write``) lets the call through.  Use inside the business's transaction (``with transaction.atomic(),
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


def _mark_written(conn) -> None:
    # Django gives each transaction a new on-commit list (at commit and rollback; also at a savepoint
    # rollback), so "same list, same business scope" means "same transaction, still holding its locks".
    scope = _business_scope(conn)
    conn.sscard_audit_written = (conn.run_on_commit, scope) if scope is not False else None


def audit_written(conn=None) -> bool:
    """Whether the current business transaction has appended an audit event (and so holds its change's
    locks until the commit).

    Cheap (no query).  After a savepoint rollback later in the transaction it answers False even if the
    locks are still held: the guard may miss such a case, but does not refuse a device wrongly.
    """
    conn = conn or transaction.get_connection()
    written = getattr(conn, "sscard_audit_written", None)
    if written is None:
        return False
    if not conn.in_atomic_block or written[0] is not conn.run_on_commit:
        conn.sscard_audit_written = None  # that transaction has ended (or rolled back to a savepoint)
        return False
    return _business_scope(conn) == written[1]


def audit_refuse_after_write(device: str) -> None:
    """Raise ``DeviceCalledAfterWrite`` when the current transaction has appended its audit events:
    ``device`` must not be used then (the simulated devices call this first)."""
    if audit_written():
        raise DeviceCalledAfterWrite(
            f"{device} called after this transaction wrote its audit events: the rows of its change stay "
            "locked while the device works.  Call the device before the first audit_record of the "
            "transaction (wrap the business in audit.services.audit_deferred()) or after its commit.")
