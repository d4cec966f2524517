"""Cards made by the card vendor for a production order (the vendor's OK rows).

A first card is ``made`` (social security functions off until the 96-hour activation after pick-up); a
batch reissue / replacement / renewal card is ``produced`` (not live) and the old card stays in use
until the new one is picked up.  The chip is personalised with an initial PIN nobody knows, as for any
centrally made card.  Each card made is audited ``CARD_MADE``.
"""

from sscard.audit.services import audit_record
from sscard.cards.choices import CardState
from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.policy.choices import Business


def cards_make_for(*, actor, order, answers) -> list[Card]:
    """``answers``: ``[(item, vendor_row)]`` of OK rows; sets ``item.card`` and the request's new card."""
    from sscard.hardware.drivers import get_card_terminal

    now = clock.now()
    terminal = get_card_terminal()
    cards = []
    for item, row in answers:
        req = item.request
        state = CardState.MADE if req.business == Business.APPLY else CardState.PRODUCED
        terminal.personalise(item.card_no)
        cards.append(Card(card_no=item.card_no, identification_code=row["identification_code"],
                          person_id=req.applicant_id, state=state, state_changed_at=now,
                          origin_channel=req.channel, origin_request=req, made_at=now))
    Card.objects.bulk_create(cards)
    reqs = []
    for (item, _row), card in zip(answers, cards):
        item.card = card
        req = item.request
        req.new_card, req.updated_at = card, now
        reqs.append(req)
        audit_record(event_type="CARD_MADE", actor=actor, subject_type="card", subject_id=card.card_no,
                     person_id=card.person_id, after={"state": card.state},
                     data={"request_no": req.request_no, "production_mode": req.production_mode,
                           "order_no": order.order_no, "item_no": item.item_no,
                           "replaces": req.card.card_no if req.card_id else "", "issued": False})
    ServiceRequest.objects.bulk_update(reqs, ["new_card", "updated_at"], batch_size=1000)
    return cards
