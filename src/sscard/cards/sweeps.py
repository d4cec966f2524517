"""Card sweeps that move cards by the clock alone (no business): the temporary-loss lapse.

Set-based: chunk after chunk of due cards (keyset by id, ``FOR UPDATE SKIP LOCKED`` on PostgreSQL, so two
sweepers never take the same cards), each chunk moved by ``cards.bulk.cards_apply_event_bulk`` in its own
transaction: one guarded UPDATE, one insert of the state-change rows, one bulk insert of the audit events.
A crash leaves the committed chunks done and the rest still due; a rerun finds nothing to do.
"""

import datetime as dt

from django.conf import settings
from django.db import transaction

from sscard.cards.bulk import DueCard, cards_apply_event_bulk
from sscard.cards.rules import SWEEP_MOVES
from sscard.cards.selectors import temporary_losses_due
from sscard.core import clock
from sscard.staff.actors import Actor


def sweep_chunk_size(chunk: int | None = None) -> int:
    """Cards per transaction of a sweep (``SSCARD_SWEEP_CHUNK``, default 10,000)."""
    return chunk or getattr(settings, "SSCARD_SWEEP_CHUNK", 10_000)


def card_lapse_due_losses(*, actor=None, now: dt.datetime | None = None, chunk: int | None = None) -> int:
    """Sweep: temporary (12333) losses past ``temp_loss_expires_at`` lapse to the state before the loss.

    Chunks of due cards, each re-checked by the UPDATE itself (still ``lost_temp``, still past its
    expiry), so running twice (or two sweepers at once) lapses each card once.  Audited per card
    (``CARD_TEMPORARY_LOSS_LAPSED``, ``data.expired_at``).  Returns the count.
    """
    actor = actor or Actor.system("sweep:lapse_temporary_losses")
    now = now or clock.now()
    from_state, event = SWEEP_MOVES["lapse_temporary_loss"]
    size = sweep_chunk_size(chunk)
    done, last_id = 0, 0
    while True:
        with transaction.atomic():
            rows = list(temporary_losses_due(now).filter(id__gt=last_id).select_for_update(skip_locked=True)
                        .values_list("id", "card_no", "person_id", "temp_loss_expires_at")[:size])
            if not rows:
                return done
            last_id = rows[-1][0]
            cards = [DueCard(card_id, card_no, person_id, {"expired_at": expires.isoformat()})
                     for card_id, card_no, person_id, expires in rows]
            result = cards_apply_event_bulk(actor=actor, cards=cards, from_state=from_state, event=event,
                                            extra_fields={"temp_loss_expires_at": None},
                                            due_column="temp_loss_expires_at", due_at=now)
            done += len(result.moved)
