"""Card sweeps that move cards by the clock alone (no business): the temporary-loss lapse."""

from django.db import transaction

from sscard.cards.choices import CardEvent, CardState
from sscard.cards.selectors import temporary_losses_due
from sscard.cards.services import card_apply_event, card_lock
from sscard.core import clock
from sscard.staff.actors import Actor


def card_lapse_due_losses(*, actor=None, now=None) -> int:
    """Sweep: temporary (12333) losses past ``temp_loss_expires_at`` lapse to the state before the loss.

    Each card in its own transaction, re-checked under the row lock, so running twice (or two sweepers
    at once) lapses each card once.  Audited per card (``CARD_TEMPORARY_LOSS_LAPSED``).  Returns the count.
    """
    actor = actor or Actor.system("sweep:lapse_temporary_losses")
    now = now or clock.now()
    done = 0
    for card_id in list(temporary_losses_due(now).values_list("id", flat=True)):
        with transaction.atomic():
            card = card_lock(card_id)
            if card.state != CardState.LOST_TEMP or card.temp_loss_expires_at is None \
                    or card.temp_loss_expires_at > now:
                continue
            card_apply_event(card=card, event=CardEvent.LAPSE_LOSS, actor=actor,
                             data={"expired_at": card.temp_loss_expires_at.isoformat()},
                             extra_fields={"temp_loss_expires_at": None})
            done += 1
    return done
