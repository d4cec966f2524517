"""PIN services without the API: where the pad is, who may use it, and that no PIN is ever recorded."""

import pytest
from django.db import transaction

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.desk.pin import pin_change, pin_station, pin_verify
from sscard.core.errors import Refused
from sscard.desk.intake import DocInput
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.cards import at_station

pytestmark = pytest.mark.django_db


def test_station_follows_the_caller(clerk, kiosk, citizen):
    assert pin_station(Actor.for_staff(clerk)) == f"outlet:{clerk.outlet.code}"
    assert pin_station(Actor.for_kiosk(kiosk)) == f"kiosk:{kiosk.code}"
    with pytest.raises(Refused):
        pin_station(Actor.for_citizen(citizen))


def test_verify_is_not_offered_in_the_app(citizen, card):
    with pytest.raises(Refused) as exc:
        pin_verify(actor=Actor.for_citizen(citizen), applicant=DocInput("ss_card", card.card_no))
    assert exc.value.code == "PIN_PAD_UNAVAILABLE"


def test_a_wrong_pin_inside_an_outer_transaction_still_commits(kiosk, card):
    station = f"kiosk:{kiosk.code}"
    at_station(station, card, "000111", "246810", "246810", pin="135790")
    with transaction.atomic():
        outcome = pin_change(actor=Actor.for_kiosk(kiosk), applicant=DocInput("ss_card", card.card_no))
    assert outcome.error.code == "PIN_WRONG" and outcome.remaining == 2
    assert Card.objects.get(pk=card.pk).pin_failures == 1


def test_no_pin_in_any_audit_event(kiosk, card):
    station = f"kiosk:{kiosk.code}"
    at_station(station, card, "000111", "246810", "246810", "135790", "246810", "246810", pin="135790")
    actor = Actor.for_kiosk(kiosk)
    pin_change(actor=actor, applicant=DocInput("ss_card", card.card_no))
    assert pin_change(actor=actor, applicant=DocInput("ss_card", card.card_no)).ok
    dump = str(list(AuditEvent.objects.values_list("before", "after", "data")))
    assert "CARD_PIN_CHANGED" in AuditEvent.objects.values_list("event_type", flat=True)
    for pin in ("000111", "135790", "246810"):
        assert pin not in dump


def test_a_minor_cannot_change_by_guardian_but_can_reset(kiosk, minor):
    card = f.make_card(minor)
    guardian = f.make_person(name="张大明")
    station = f"kiosk:{kiosk.code}"
    at_station(station, card, "246810", "246810", pin="135790")
    from sscard.desk.pin import pin_reset
    from sscard.core.errors import Refused

    actor = Actor.for_kiosk(kiosk)
    with pytest.raises(Refused) as exc:
        pin_change(actor=actor, applicant=DocInput("ss_card", card.card_no),
                   agent=DocInput("id_card", guardian.id_number))
    assert exc.value.code == "ROLE_NOT_ALLOWED"
    outcome = pin_reset(actor=actor, applicant=DocInput("ss_card", card.card_no),
                        agent=DocInput("id_card", guardian.id_number))
    assert outcome.ok and outcome.request.applicant_role == "proxy_minor"
