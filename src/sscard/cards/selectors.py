"""Reads about cards: a card as callers see it, and what the card sweeps have to do."""

from sscard.cards.choices import AAZ502, CardState
from sscard.cards.models import Card
from sscard.core import clock


def card_out(card: Card) -> dict:
    """A card as a caller sees it: number, state, label, AAZ502 code (no personal data)."""
    return {
        "card_no": card.card_no,
        "state": card.state,
        "state_label": str(CardState(card.state).label),
        "aaz502": AAZ502[card.state],
        "state_changed_at": card.state_changed_at,
        "temp_loss_expires_at": card.temp_loss_expires_at,
    }


def temporary_losses_due(now=None):
    """Cards in temporary loss whose lapse time has passed (the lapse sweep's work list)."""
    now = now or clock.now()
    return Card.objects.filter(state=CardState.LOST_TEMP, temp_loss_expires_at__lte=now).order_by("id")
