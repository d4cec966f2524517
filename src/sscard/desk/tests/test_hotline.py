"""12333 caller verification: card number, name and ID number must match one card; every attempt recorded."""

import datetime as dt

import pytest
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.core.errors import Forbidden, InvalidInput, Refused
from sscard.desk.hotline import VerifiedCaller, caller_document, caller_verify
from sscard.desk.lifecycle import card_loss_report
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture
def operator(db):
    return Actor.for_staff(f.make_staff("hotline"))


def test_a_matching_caller_is_verified_masked_and_recorded(operator, adult, card, settings):
    settings.SSCARD_HOTLINE_CALLER_MINUTES = 5
    clock.freeze(T0)
    caller = caller_verify(actor=operator, card_no=f" {card.card_no.lower()} ", name="张三",
                           id_number=adult.id_number.lower())
    assert (caller.card_id, caller.person_id, caller.name_masked) == (card.pk, adult.pk, "张*")
    assert caller.id_number_masked == adult.masked_id_number and caller.card_no_masked.endswith(card.card_no[-3:])
    assert caller.expires_at == T0 + dt.timedelta(minutes=5)
    event = AuditEvent.objects.get(event_type="CALLER_VERIFIED")
    assert (event.subject_id, event.person_id, event.channel) == (card.card_no, adult.pk, "phone")
    assert adult.id_number not in str(event.data)
    assert caller.live_for(operator) and not caller.live_for(operator, T0 + dt.timedelta(minutes=5))
    assert not caller.live_for(Actor.for_staff(f.make_staff("hotline")))
    assert VerifiedCaller.from_session(caller.to_session()) == caller


@pytest.mark.parametrize("wrong", ["card_no", "name", "id_number", "other_card"])
def test_any_mismatch_is_refused_without_saying_which_and_recorded(operator, adult, card, wrong):
    other = f.make_person(name="李四", birth_date=dt.date(1990, 1, 1))
    other_card = f.make_card(other)
    values = {"card_no": card.card_no, "name": "张三", "id_number": adult.id_number}
    values.update({"card_no": {"card_no": "B99999999", "other_card": other_card.card_no}.get(wrong, card.card_no),
                   "name": "张四" if wrong == "name" else "张三",
                   "id_number": other.id_number if wrong == "id_number" else adult.id_number})
    with pytest.raises(Refused) as exc:
        caller_verify(actor=operator, **values)
    assert exc.value.code == "CALLER_NOT_VERIFIED"
    event = AuditEvent.objects.get(event_type="CALLER_VERIFICATION_FAILED")
    assert event.data["card_found"] == (wrong != "card_no")
    assert "B99999999" not in event.subject_id + str(event.data)


def test_every_missing_value_is_named_at_once_and_nothing_is_recorded(operator):
    with pytest.raises(InvalidInput) as exc:
        caller_verify(actor=operator, card_no=" ", name="", id_number=None)
    assert [m["field"] for m in exc.value.details["missing"]] == ["card_no", "name", "id_number"]
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "reviewer", "supervisor", "auditor", "admin"])
def test_only_the_hotline_verifies_callers(role, adult, card):
    actor = Actor.for_staff(f.make_staff(role, f.make_outlet() if role == "clerk" else None))
    with pytest.raises(Forbidden):
        caller_verify(actor=actor, card_no=card.card_no, name="张三", id_number=adult.id_number)


def test_the_verified_card_is_the_document_of_the_phone_loss_report(operator, adult, card):
    clock.freeze(T0)
    caller = caller_verify(actor=operator, card_no=card.card_no, name="张三", id_number=adult.id_number)
    it = card_loss_report(actor=operator, applicant=caller_document(caller))
    assert it.card.pk == card.pk and it.card.state == "lost_temp"
    assert it.card.temp_loss_expires_at == T0 + dt.timedelta(days=15)


@pytest.mark.parametrize("data", [None, "x", {}, {"card_id": "1"}, {"card_id": 1, "person_id": 1, "staff_id": 1,
                                  "card_no_masked": "", "name_masked": "", "id_number_masked": "",
                                  "verified_at": "yesterday", "expires_at": "later"}])
def test_a_session_value_that_is_not_a_caller_is_none(data):
    assert VerifiedCaller.from_session(data) is None
