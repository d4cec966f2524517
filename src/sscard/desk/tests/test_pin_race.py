"""Wrong PINs typed at the same moment: the counter ends exactly right and the card is locked once.

Needs real row locks: marker ``postgres`` (the root conftest deselects it on SQLite, with a note).
"""

import threading

import pytest
from django.db import connection

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.core.errors import DomainError
from sscard.desk.intake import DocInput
from sscard.desk.pin import pin_verify
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedPinPad
from sscard.policy.catalogue import policy_setting
from sscard.staff.actors import Actor
from sscard.testing import factories as f

THREADS = 8


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_wrong_pins_count_exactly_and_lock_once():
    outlet = f.make_outlet()
    kiosk = f.make_kiosk(outlet)
    station = f"kiosk:{kiosk.code}"
    card = f.make_card(f.make_person())
    SimulatedCardTerminal.provision(card.card_no, pin="135790")
    SimulatedCardTerminal.insert(station, card.card_no)
    SimulatedPinPad.type(station, *["000111"] * THREADS)
    actor = Actor.for_kiosk(kiosk)
    barrier = threading.Barrier(THREADS)
    codes: list[str] = []
    lock = threading.Lock()

    def attempt():
        try:
            barrier.wait()
            try:
                outcome = pin_verify(actor=actor, applicant=DocInput("ss_card", card.card_no))
                code = outcome.error.code if outcome.error else "OK"
            except DomainError as exc:
                code = exc.code
            with lock:
                codes.append(code)
        finally:
            connection.close()

    threads = [threading.Thread(target=attempt) for _ in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)

    limit = policy_setting("pin_max_wrong_attempts")
    row = Card.objects.get(pk=card.pk)
    assert (row.state, row.pin_failures) == ("locked", limit)
    assert sorted(codes) == sorted(["PIN_WRONG"] * (limit - 1) + ["PIN_WRONG_CARD_LOCKED"]
                                   + ["CARD_STATE_NOT_ALLOWED"] * (THREADS - limit))
    assert AuditEvent.objects.filter(subject_id=card.card_no, event_type="CARD_LOCKED").count() == 1
    assert AuditEvent.objects.filter(subject_id=card.card_no, event_type="CARD_WRONG_PIN_COUNTED").count() == limit
