"""Cards made by the card vendor for a production order (the vendor's OK rows).

A first card is ``made`` (social security functions off until the 96-hour activation after pick-up); a
batch reissue / replacement / renewal card is ``produced`` (not live) and the old card stays in use
until the new one is picked up.  The chip is personalised with an initial PIN nobody knows, as for any
centrally made card.  The cards are created by ``cards.services.cards_make`` (audited ``CARD_MADE``).
"""

from sscard.cards.choices import CardState
from sscard.cards.models import Card
from sscard.cards.services import NewCard, cards_make
from sscard.desk.services import requests_card_made
from sscard.hardware.drivers import get_card_terminal
from sscard.policy.choices import Business


def cards_make_for(*, actor, order, answers) -> list[Card]:
    """``answers``: ``[(item, vendor_row)]`` of OK rows; sets ``item.card`` and the request's new card."""
    terminal = get_card_terminal()
    new = []
    for item, row in answers:
        req = item.request
        terminal.personalise(item.card_no)
        new.append(NewCard(card_no=item.card_no, identification_code=row["identification_code"],
                           person_id=req.applicant_id,
                           state=CardState.MADE if req.business == Business.APPLY else CardState.PRODUCED,
                           origin_channel=req.channel, origin_request=req,
                           audit_data={"request_no": req.request_no, "production_mode": req.production_mode,
                                       "order_no": order.order_no, "item_no": item.item_no,
                                       "replaces": req.card.card_no if req.card_id else ""}))
    cards = cards_make(actor=actor, new=new)
    for (item, _row), card in zip(answers, cards):
        item.card = card
    requests_card_made(requests=[item.request for item, _ in answers], cards=cards)
    return cards
