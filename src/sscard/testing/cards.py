"""Helpers of the card-lifecycle tests (cards/tests and api/tests/test_cards_*): the documents that name
a person or a card, what a refused request must leave unchanged, and the simulated card terminal.
Import them by name; the fixtures of these tests are in ``sscard.testing.fixtures.cards``."""
from sscard.audit.models import AuditEvent
from sscard.cards.models import Card, CardStateChange
from sscard.desk.models import ServiceRequest
from sscard.hardware.models import SimulatedChip
from sscard.hardware.pin_hashing import check_pin
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedPinPad


def id_doc(person) -> dict:
    return {"doc_type": "id_card", "number": person.id_number}


def card_doc(card) -> dict:
    return {"doc_type": "ss_card", "number": card.card_no}


def snapshot(card) -> tuple:
    """What a refused request must leave unchanged: the card row, its log, records and audit."""
    row = Card.objects.get(pk=card.pk)
    return (row.state, row.pin_failures, row.temp_loss_expires_at, CardStateChange.objects.count(),
            ServiceRequest.objects.count(), AuditEvent.objects.count())


def at_station(station: str, card, *pins: str, pin: str | None = None) -> None:
    """Put ``card`` in the station's terminal (writing its chip with ``pin`` when given) and type ``pins``."""
    if pin is not None:
        SimulatedCardTerminal.provision(card.card_no, pin=pin)
    SimulatedCardTerminal.insert(station, card.card_no)
    if pins:
        SimulatedPinPad.type(station, *pins)


def chip_pin_is(card, pin: str) -> bool:
    return check_pin(SimulatedChip.objects.get(card_no=card.card_no).pin_hash, pin)
