"""Reads about cards: a person's card status (status query), and what the sweeps have to do."""

from sscard.cards.choices import AAZ502, CardState
from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk.choices import RequestStatus

# Requests that are finished one way or another: not "production progress" any more.
_CLOSED = (RequestStatus.COMPLETED, RequestStatus.REJECTED, RequestStatus.VOIDED)
PRODUCTION_BUSINESSES = ("apply", "reissue", "replace", "renew")


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


def card_status_of(person) -> dict:
    """Rule (应用状态查询): the person's cards (newest first) with state, label and AAZ502 code, and the
    progress of any open production request (status, due date, pick-up outlet).  No archive data."""
    from sscard.desk.models import ServiceRequest

    cards = [card_out(c) for c in Card.objects.filter(person=person).order_by("-id")]
    open_requests = (ServiceRequest.objects.select_related("pickup_outlet")
                     .filter(applicant=person, business__in=PRODUCTION_BUSINESSES)
                     .exclude(status__in=_CLOSED).order_by("-created_at"))
    requests = [{
        "request_no": r.request_no,
        "business": r.business,
        "status": r.status,
        "status_label": str(RequestStatus(r.status).label),
        "due_at": r.due_at,
        "due_provisional": r.due_provisional,
        "pickup_outlet": r.pickup_outlet.name if r.pickup_outlet_id else None,
    } for r in open_requests]
    return {"person_id": person.pk, "cards": cards, "open_requests": requests}


def temporary_losses_due(now=None):
    """Cards in temporary loss whose lapse time has passed (the lapse sweep's work list)."""
    now = now or clock.now()
    return Card.objects.filter(state=CardState.LOST_TEMP, temp_loss_expires_at__lte=now).order_by("id")


def production_requests_overdue(now=None):
    """Requests still in production after their due time (listed by ``run_due_sweeps``)."""
    from sscard.desk.models import ServiceRequest

    now = now or clock.now()
    return (ServiceRequest.objects.filter(status=RequestStatus.IN_PRODUCTION, due_at__lt=now)
            .order_by("due_at"))
