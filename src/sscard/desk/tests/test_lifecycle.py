"""Service-level rules of the one-call businesses that the API tests do not reach directly."""

import datetime as dt

import pytest

from sscard.audit.models import AuditEvent
from sscard.desk.lifecycle import card_cancel, card_loss_report, card_loss_withdraw, card_rollback
from sscard.cards.models import Card
from sscard.core import clock
from sscard.core.errors import NotFound, Refused
from sscard.desk.intake import DocInput, EvidenceInput
from sscard.desk.models import ServiceRequest
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


def _doc(person):
    return DocInput("id_card", person.id_number)


def _evidence():
    jpeg = f.jpeg_bytes()
    return EvidenceInput(credential_images=[jpeg], scene_image=f.jpeg_bytes(width=640, height=480))


@pytest.fixture
def clerk_actor(clerk):
    return Actor.for_staff(clerk)


def test_minor_loss_by_guardian_with_household_register(clerk_actor, minor):
    card = f.make_card(minor)
    guardian = f.make_person(name="张大明", birth_date=dt.date(1980, 1, 1))
    it = card_loss_report(actor=clerk_actor, applicant=DocInput("hukou", minor.id_number), agent=_doc(guardian),
                          evidence=_evidence())
    assert it.request.applicant_role == "proxy_minor"
    assert Card.objects.get(pk=card.pk).state == "lost"


def test_agent_unknown_to_the_system_is_kept_masked(clerk_actor, adult):
    card = f.make_card(adult)
    number = f.id_number_for(dt.date(1979, 5, 5))
    it = card_loss_report(actor=clerk_actor, applicant=DocInput("ss_card", card.card_no),
                          agent=DocInput("id_card", number), evidence=_evidence())
    req = ServiceRequest.objects.get(pk=it.request.pk)
    assert req.agent_id is None
    assert req.materials["agent_number_masked"] == number[:4] + "*" * 10 + number[-4:]
    assert number not in str(list(AuditEvent.objects.values_list("data", "before", "after")))


def test_agent_cannot_be_the_applicant(clerk_actor, adult):
    card = f.make_card(adult)
    with pytest.raises(Refused) as exc:
        card_loss_report(actor=clerk_actor, applicant=DocInput("ss_card", card.card_no), agent=_doc(adult),
                         evidence=_evidence())
    assert exc.value.code == "AGENT_IS_APPLICANT"
    assert Card.objects.get(pk=card.pk).state == "active"


def test_an_ended_card_presented_is_refused(clerk_actor, adult):
    old = f.make_card(adult, state="replaced")
    f.make_card(adult)
    with pytest.raises(Refused) as exc:
        card_cancel(actor=clerk_actor, applicant=DocInput("ss_card", old.card_no), evidence=_evidence())
    assert exc.value.code == "CARD_NOT_CURRENT"


def test_person_without_a_card(clerk_actor, adult):
    with pytest.raises(NotFound) as exc:
        card_cancel(actor=clerk_actor, applicant=_doc(adult), evidence=_evidence())
    assert exc.value.code == "CARD_NOT_FOUND"


def test_rollback_of_a_withdrawal_restores_the_temporary_loss_with_a_new_expiry(clerk_actor, adult):
    clock.freeze(dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone.utc))
    card = f.make_card(adult)
    hotline = Actor.for_staff(f.make_staff("hotline"))
    card_loss_report(actor=hotline, applicant=_doc(adult))
    card_loss_withdraw(actor=clerk_actor, applicant=_doc(adult), evidence=_evidence())
    clock.advance(dt.timedelta(days=2))
    card_rollback(actor=clerk_actor, applicant=_doc(adult), evidence=_evidence())
    row = Card.objects.get(pk=card.pk)
    assert row.state == "lost_temp"
    assert row.temp_loss_expires_at == clock.now() + dt.timedelta(days=15)


def test_rollback_never_revives_a_cancelled_card_beside_a_live_one(clerk_actor, adult):
    card = f.make_card(adult)
    card_cancel(actor=clerk_actor, applicant=_doc(adult), evidence=_evidence())
    new = f.make_card(adult)
    with pytest.raises(Refused) as exc:
        card_rollback(actor=clerk_actor, applicant=_doc(adult), evidence=_evidence())
    assert exc.value.code == "ROLLBACK_NOTHING_TO_UNDO"  # it acts on the live card, which has no change
    assert (Card.objects.get(pk=card.pk).state, Card.objects.get(pk=new.pk).state) == ("cancelled", "active")
