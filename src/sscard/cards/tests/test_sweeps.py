"""The lapse sweep for temporary (12333) losses and ``run_due_sweeps``, under a frozen clock."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.cards.sweeps import card_lapse_due_losses
from sscard.desk.lifecycle import card_loss_report
from sscard.cards.models import Card
from sscard.cards.tasks import lapse_temporary_losses
from sscard.core import clock
from sscard.desk.intake import DocInput
from sscard.desk.models import ServiceRequest
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db
T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


@pytest.fixture
def hotline(db):
    return Actor.for_staff(f.make_staff("hotline"))


def _phone_loss(hotline, state="active"):
    person = f.make_person()
    card = f.make_card(person, state=state)
    card_loss_report(actor=hotline, applicant=DocInput("id_card", person.id_number))
    return Card.objects.get(pk=card.pk)


def test_temporary_loss_lapses_only_after_expiry_and_once(hotline):
    clock.freeze(T0)
    active = _phone_loss(hotline)
    made = _phone_loss(hotline, state="made")
    assert active.temp_loss_expires_at == T0 + dt.timedelta(days=15)
    clock.advance(dt.timedelta(days=15) - dt.timedelta(seconds=1))
    assert card_lapse_due_losses() == 0
    assert Card.objects.get(pk=active.pk).state == "lost_temp"
    clock.advance(dt.timedelta(seconds=1))
    assert card_lapse_due_losses() == 2
    a, m = Card.objects.get(pk=active.pk), Card.objects.get(pk=made.pk)
    assert (a.state, a.temp_loss_expires_at, m.state) == ("active", None, "made")
    events = AuditEvent.objects.filter(event_type="CARD_TEMPORARY_LOSS_LAPSED")
    assert sorted(events.values_list("subject_id", flat=True)) == sorted([active.card_no, made.card_no])
    assert set(events.values_list("actor_kind", flat=True)) == {"system"}
    assert card_lapse_due_losses() == 0
    assert events.count() == 2


def test_a_confirmed_loss_does_not_lapse(hotline):
    clock.freeze(T0)
    card = _phone_loss(hotline)
    kiosk = Actor.for_kiosk(f.make_kiosk(f.make_outlet()))
    card_loss_report(actor=kiosk, applicant=DocInput("id_card", card.person.id_number))
    clock.advance(dt.timedelta(days=40))
    assert card_lapse_due_losses() == 0
    assert Card.objects.get(pk=card.pk).state == "lost"


def test_the_sweep_rechecks_under_the_lock(hotline):
    clock.freeze(T0)
    card = _phone_loss(hotline)
    clock.advance(dt.timedelta(days=16))
    # Someone made the loss formal after the work list was read: the sweep must leave the card alone.
    Card.objects.filter(pk=card.pk).update(state="lost")
    assert card_lapse_due_losses() == 0
    assert Card.objects.get(pk=card.pk).state == "lost"


def test_the_task_runs_the_sweep(hotline):
    clock.freeze(T0)
    card = _phone_loss(hotline)
    clock.advance(dt.timedelta(days=20))
    assert lapse_temporary_losses.call() == 1
    assert Card.objects.get(pk=card.pk).state == "active"


def test_the_task_can_be_enqueued():
    with transaction.atomic():
        result = lapse_temporary_losses.enqueue()
    assert result.id


def test_run_due_sweeps_lapses_and_lists_overdue_production(hotline):
    clock.freeze(T0)
    card = _phone_loss(hotline)
    common = dict(business="apply", channel="window", applicant_role="self", catalogue_version="x",
                  actor_name="c", actor_role="clerk", created_at=T0, updated_at=T0)
    ServiceRequest.objects.create(request_no="YW-LATE", applicant=f.make_person(), status="in_production", due_at=T0 + dt.timedelta(days=1),
                                  **common)
    ServiceRequest.objects.create(request_no="YW-ONTIME", applicant=f.make_person(), status="in_production", due_at=T0 + dt.timedelta(days=30),
                                  **common)
    ServiceRequest.objects.create(request_no="YW-DONE", applicant=f.make_person(), status="completed", due_at=T0 + dt.timedelta(days=1),
                                  **common)
    clock.advance(dt.timedelta(days=16))
    out = io.StringIO()
    call_command("run_due_sweeps", stdout=out)
    text = out.getvalue()
    assert "temporary losses lapsed: 1" in text
    assert "production requests overdue: 1" in text
    assert "YW-LATE" in text and "YW-ONTIME" not in text and "YW-DONE" not in text
    assert Card.objects.get(pk=card.pk).state == "active"
    out = io.StringIO()
    call_command("run_due_sweeps", stdout=out)
    assert "temporary losses lapsed: 0" in out.getvalue()
