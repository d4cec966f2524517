"""The 96-hour activation sweep, set-based: due boundary, chunks, a card changed between selection and
update, the skipped cards' audit, a crash and a rerun, and two sweepers at once (PostgreSQL)."""

import datetime as dt
import threading

import pytest
from django.db import connection

from sscard.audit.models import AuditEvent
from sscard.cards import bulk
from sscard.cards.models import Card, CardStateChange
from sscard.core import clock
from sscard.production.models import ProductionItem, ProductionOrder
from sscard.production.pickup import batch_activation_sweep
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified
from sscard.testing.batch_flow import adults, paper_batch, paper_batch_body

pytestmark = pytest.mark.django_db
CST = dt.timezone(dt.timedelta(hours=8))
WED = dt.datetime(2026, 11, 25, 10, 0, tzinfo=CST)


def _partners_answer(settings):
    settings.SSCARD_SIMULATED_PARTNERS = {"bank": {"fail_items": {}}, "vendor": {"fail_items": {}}}


def _picked_up(clerk_api, admin_api, employer, batch_no) -> dt.datetime:
    """Run production for the batch, receive and hand over its cards; returns the activation time."""
    assert admin_api.post("/production/exchange/run?simulate=true").status_code == 200
    order_no = ProductionOrder.objects.get(batch__batch_no=batch_no).order_no
    assert clerk_api.post(f"/production/orders/{order_no}/arrive").status_code == 200
    picked = clerk_api.post(f"/production/batches/{batch_no}/pickup",
                            {"handler": {"doc_type": "id_card", "number": employer[1].id_number}})
    assert picked.status_code == 200, picked.content
    return dt.datetime.fromisoformat(picked.json()["activation_due_at"])


@pytest.fixture
def picked_up(settings, clerk_api, staff_api, employer, django_capture_on_commit_callbacks):
    """Five batch cards handed over on WED; returns ``(cards, due)``."""
    clock.freeze(WED)
    _partners_answer(settings)
    batch_no = paper_batch(clerk_api, employer, adults(5), capture=django_capture_on_commit_callbacks)
    due = _picked_up(clerk_api, staff_api("admin"), employer, batch_no)
    cards = list(Card.objects.filter(origin_request__production_mode="batch").order_by("id"))
    assert len(cards) == 5 and {c.state for c in cards} == {"made"}
    return cards, due


def _states(cards):
    return [Card.objects.get(pk=c.pk).state for c in cards]


def test_due_boundary_chunks_and_the_audit_of_each_card(picked_up):
    cards, due = picked_up
    assert due == WED + dt.timedelta(hours=96)
    clock.freeze(due - dt.timedelta(seconds=1))
    assert batch_activation_sweep(chunk=2) == 0
    assert set(_states(cards)) == {"made"}
    clock.freeze(due)
    assert batch_activation_sweep(chunk=2) == 5  # chunks of 2, 2 and 1
    assert set(_states(cards)) == {"active"}
    assert all(Card.objects.get(pk=c.pk).activated_at == due for c in cards)
    events = {e.subject_id: e for e in AuditEvent.objects.filter(event_type="CARD_ACTIVATED")}
    assert sorted(events) == sorted(c.card_no for c in cards)
    for card in cards:
        e = events[card.card_no]
        assert (e.before, e.after, e.person_id, e.actor_kind) == ({"state": "made"}, {"state": "active"},
                                                                  card.person_id, "system")
        # as the per-card sweep wrote it: the due time through the audit's JSON encoder
        assert e.data == {"request_no": "", "reason": "batch_96h",
                          "due_at": due.astimezone(dt.timezone.utc).isoformat().replace("+00:00", "Z")}
    changes = CardStateChange.objects.filter(event="activate", card__in=cards)
    assert sorted(changes.values_list("card_id", "from_state", "to_state")) == [(c.pk, "made", "active")
                                                                                 for c in cards]
    assert set(ProductionItem.objects.values_list("activated_at", flat=True)) == {due}
    assert audit_log_verified()[:2] == (True, None)
    written = AuditEvent.objects.count()
    clock.freeze(due + dt.timedelta(days=3))
    assert batch_activation_sweep(chunk=2) == 0  # a rerun changes nothing and writes nothing
    assert AuditEvent.objects.count() == written
    assert set(ProductionItem.objects.values_list("activated_at", flat=True)) == {due}


def test_a_card_lost_between_selection_and_update_is_skipped_and_audited_once(picked_up, monkeypatch):
    cards, due = picked_up
    Card.objects.filter(pk=cards[0].pk).update(state="cancelled")  # ended before the sweep ran
    real = bulk.update_returning

    def business_first(**kw):  # a loss report lands after the sweep took the item, before its UPDATE
        Card.objects.filter(pk=cards[3].pk).update(state="lost")
        return real(**kw)

    monkeypatch.setattr(bulk, "update_returning", business_first)
    clock.freeze(due)
    assert batch_activation_sweep() == 3
    monkeypatch.setattr(bulk, "update_returning", real)
    assert _states(cards) == ["cancelled", "active", "active", "lost", "active"]
    skipped = AuditEvent.objects.filter(event_type="BATCH_ACTIVATION_SKIPPED")
    assert sorted(skipped.values_list("subject_id", "data")) == sorted([
        (cards[0].card_no, {"state": "cancelled"}), (cards[3].card_no, {"state": "lost"})])
    assert not AuditEvent.objects.filter(event_type="CARD_ACTIVATED", subject_id__in=[cards[0].card_no,
                                                                                      cards[3].card_no]).exists()
    assert not ProductionItem.objects.filter(activated_at__isnull=True).exists()  # all dealt with
    assert batch_activation_sweep() == 0
    assert skipped.count() == 2


def test_a_crash_leaves_done_chunks_done_and_a_rerun_finishes(picked_up, monkeypatch):
    cards, due = picked_up
    real, calls = bulk.audit_record_many, []

    def dies_on_the_second_chunk(**kw):
        calls.append(1)
        if len(calls) == 2:
            raise RuntimeError("worker killed")
        return real(**kw)

    monkeypatch.setattr(bulk, "audit_record_many", dies_on_the_second_chunk)
    clock.freeze(due)
    with pytest.raises(RuntimeError):
        batch_activation_sweep(chunk=2)
    assert _states(cards) == ["active", "active", "made", "made", "made"]
    assert ProductionItem.objects.filter(activated_at__isnull=True).count() == 3
    monkeypatch.setattr(bulk, "audit_record_many", real)
    assert batch_activation_sweep(chunk=2) == 3
    assert AuditEvent.objects.filter(event_type="CARD_ACTIVATED").count() == 5
    assert audit_log_verified()[:2] == (True, None)


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_sweepers_at_once_activate_each_card_once(settings):
    """Two sweepers start together on the same due items (``FOR UPDATE SKIP LOCKED``): each card is
    activated and audited exactly once, none is reported skipped, and the log verifies."""
    outlet = f.make_outlet()
    clerk_api = f.ApiClient(f.token_for(staff=f.make_staff("clerk", outlet)))
    admin_api = f.ApiClient(f.token_for(staff=f.make_staff("admin")))
    employer = f.make_employer()
    clock.freeze(WED)
    _partners_answer(settings)
    resp = clerk_api.post("/batches/paper", paper_batch_body(employer, adults(12)))
    assert resp.status_code == 202, resp.content
    due = _picked_up(clerk_api, admin_api, employer, resp.json()["batch_no"])
    clock.freeze(due)
    barrier, counts, errors = threading.Barrier(2), [], []

    def sweeper():
        try:
            barrier.wait(30)
            counts.append(batch_activation_sweep(chunk=2))
        except Exception as exc:  # noqa: BLE001 - surfaced below
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=sweeper) for _ in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    assert sum(counts) == 12
    activated = list(AuditEvent.objects.filter(event_type="CARD_ACTIVATED")
                     .values_list("subject_id", flat=True))
    assert len(activated) == len(set(activated)) == 12
    assert not AuditEvent.objects.filter(event_type="BATCH_ACTIVATION_SKIPPED").exists()
    assert CardStateChange.objects.filter(event="activate").count() == 12
    assert audit_log_verified()[:2] == (True, None)
