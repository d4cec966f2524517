"""The lapse sweep for temporary (12333) losses and ``run_due_sweeps``, under a frozen clock."""

import datetime as dt
import io

import pytest
from django.core.management import call_command
from django.db import transaction
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.cards import bulk
from sscard.cards.models import Card, CardStateChange
from sscard.cards.sweeps import card_lapse_due_losses
from sscard.cards.tasks import lapse_temporary_losses
from sscard.core import clock
from sscard.desk.intake import DocInput
from sscard.desk.lifecycle import card_loss_report
from sscard.desk.models import ServiceRequest
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified

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


# ---------------------------------------------------------------- set-based: chunks, re-checks, reruns


def _losses(hotline, states):
    return [_phone_loss(hotline, state=s) for s in states]


def test_the_lapse_moves_chunk_after_chunk_each_card_to_its_own_previous_state(hotline):
    clock.freeze(T0)
    states = ["active", "made", "active", "locked", "made", "active", "active"]
    cards = _losses(hotline, states)
    clock.advance(dt.timedelta(days=15))
    assert card_lapse_due_losses(chunk=3) == 7  # chunks of 3, 3 and 1
    assert [Card.objects.get(pk=c.pk).state for c in cards] == states
    events = AuditEvent.objects.filter(event_type="CARD_TEMPORARY_LOSS_LAPSED").order_by("seq")
    assert sorted(e.subject_id for e in events) == sorted(c.card_no for c in cards)
    by_card = {e.subject_id: e for e in events}
    for card, state in zip(cards, states):
        e = by_card[card.card_no]
        assert (e.before, e.after, e.person_id) == ({"state": "lost_temp"}, {"state": state}, card.person_id)
        assert e.data == {"request_no": "", "expired_at": card.temp_loss_expires_at.isoformat()}
    changes = CardStateChange.objects.filter(event="lapse_loss")
    assert sorted(changes.values_list("card_id", "to_state")) == sorted(zip([c.pk for c in cards], states))
    assert not Card.objects.filter(temp_loss_expires_at__isnull=False).exists()
    assert audit_log_verified()[:2] == (True, None)
    written = AuditEvent.objects.count()
    assert card_lapse_due_losses(chunk=3) == 0  # a rerun changes nothing and writes nothing
    assert AuditEvent.objects.count() == written


def test_a_card_made_formal_between_selection_and_update_is_left(hotline, monkeypatch):
    clock.freeze(T0)
    cards = _losses(hotline, ["active"] * 3)
    clock.advance(dt.timedelta(days=16))
    real = bulk.update_returning

    def business_first(**kw):  # the window makes the loss formal after the sweep read its work list
        Card.objects.filter(pk=cards[1].pk).update(state="lost", temp_loss_expires_at=None)
        return real(**kw)

    monkeypatch.setattr(bulk, "update_returning", business_first)
    assert card_lapse_due_losses() == 2
    assert [Card.objects.get(pk=c.pk).state for c in cards] == ["active", "lost", "active"]
    assert not AuditEvent.objects.filter(event_type="CARD_TEMPORARY_LOSS_LAPSED",
                                         subject_id=cards[1].card_no).exists()


def test_a_crash_leaves_done_chunks_done_and_the_rest_due(hotline, monkeypatch):
    clock.freeze(T0)
    cards = _losses(hotline, ["active"] * 5)
    clock.advance(dt.timedelta(days=16))
    real, calls = bulk.audit_record_many, []

    def dies_on_the_second_chunk(**kw):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kw)

    monkeypatch.setattr(bulk, "audit_record_many", dies_on_the_second_chunk)
    with pytest.raises(RuntimeError):
        card_lapse_due_losses(chunk=2)
    assert [Card.objects.get(pk=c.pk).state for c in cards] == ["active", "active", "lost_temp", "lost_temp",
                                                               "lost_temp"]
    monkeypatch.setattr(bulk, "audit_record_many", real)
    assert card_lapse_due_losses(chunk=2) == 3
    events = AuditEvent.objects.filter(event_type="CARD_TEMPORARY_LOSS_LAPSED")
    assert sorted(events.values_list("subject_id", flat=True)) == sorted(c.card_no for c in cards)
    assert audit_log_verified()[:2] == (True, None)


def test_a_loss_with_no_state_to_restore_stays_and_the_others_lapse(hotline):
    clock.freeze(T0)
    good = _phone_loss(hotline)
    orphan = f.make_card(f.make_person(), state="lost_temp")  # no loss report in its log (repaired by hand)
    Card.objects.filter(pk=orphan.pk).update(temp_loss_expires_at=T0)
    clock.advance(dt.timedelta(days=16))
    assert card_lapse_due_losses() == 1
    assert Card.objects.get(pk=good.pk).state == "active"
    assert Card.objects.get(pk=orphan.pk).state == "lost_temp"
    assert card_lapse_due_losses() == 0
