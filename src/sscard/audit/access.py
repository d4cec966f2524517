"""The access log: who looked at whose cards (``AccessLogEntry``), written cheaply.

A read that shows a person's data records the look with one INSERT and nothing else: in autocommit it is
its own durable transaction, committed before the answer leaves; inside a caller's transaction it commits
with it.  It touches no row another request touches (no chain head, no sequencer queue), so status
queries scale like the reads they are.  Refused queries show nothing and are not logged.
"""

from collections.abc import Iterable

from sscard.audit.models import AccessLogEntry
from sscard.core import clock, context


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
    entry.save(force_insert=True)
    return entry
