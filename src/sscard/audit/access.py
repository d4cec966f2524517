"""The access log: who looked at whose cards (``AccessLogEntry``), written cheaply.

A read that shows a person's data records the look with one INSERT and nothing else: in autocommit it is
its own transaction, committed before the answer leaves; inside a caller's transaction it commits with
it.  It touches no row another request touches (no chain head, no sequencer queue), so status queries
scale like the reads they are.  Refused queries show nothing and are not logged.

Durability: by default the row's commit waits for the WAL flush like any other.  With
``SSCARD_ACCESS_LOG_SYNC_COMMIT`` off (PostgreSQL, autocommit only) the same single INSERT sets
``synchronous_commit`` off for its own transaction: no flush wait; a crash of the database server may
lose the rows of its last moments (at most 3 × ``wal_writer_delay``), nothing else.
"""

from collections.abc import Iterable

from django.conf import settings
from django.db import connection

from sscard.audit.models import AccessLogEntry
from sscard.core import clock, context

_FIELDS = ("at", "operation", "actor_kind", "actor_id", "actor_name", "actor_role", "channel", "outlet_id",
           "person_id", "card_ids", "request_id")


def _async_commit_insert(entry: AccessLogEntry) -> None:
    """One statement: ``synchronous_commit`` off for this transaction (``set_config(..., true)``), then the
    row; the statement is its own transaction, so nothing else is committed asynchronously."""
    meta = AccessLogEntry._meta
    fields = [meta.get_field(name) for name in _FIELDS]
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    values = [f.get_db_prep_save(getattr(entry, f.attname), connection) for f in fields]
    placeholders = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cur:
        cur.execute(f"WITH _async AS (SELECT set_config('synchronous_commit', 'off', true)) "
                    f"INSERT INTO {connection.ops.quote_name(meta.db_table)} ({columns}) "
                    f"SELECT {placeholders} FROM _async RETURNING id", values)
        entry.pk = cur.fetchone()[0]
    entry._state.adding = False


def access_record(*, actor, operation: str, person_id: int | None,
                  card_ids: Iterable[int] = ()) -> AccessLogEntry:
    """Record that ``actor`` did the read ``operation`` (an access-table name) of ``person_id``'s data,
    seeing ``card_ids``.  One INSERT."""
    entry = AccessLogEntry(
        at=clock.now(), operation=operation, actor_kind=actor.kind,
        actor_id=actor.staff_id or actor.kiosk_id or actor.citizen_id, actor_name=actor.name,
        actor_role=actor.role, channel=actor.channel, outlet_id=actor.outlet_id, person_id=person_id,
        card_ids=[int(i) for i in card_ids], request_id=context.request_id.get(),
    )
    if (not settings.SSCARD_ACCESS_LOG_SYNC_COMMIT and connection.vendor == "postgresql"
            and not connection.in_atomic_block):
        _async_commit_insert(entry)
    else:
        entry.save(force_insert=True)
    return entry
