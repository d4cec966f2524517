"""Writing audit events: each with its own content hash, queued for the sequencer, in the changing
transaction only, never edited through the model; bulk writes the same shape."""

import pytest
from django.db import transaction

from sscard.audit.hashing import event_hash
from sscard.audit.models import AuditEvent, AuditPending
from sscard.audit.services import audit_record, audit_record_many
from sscard.staff.actors import Actor
from sscard.testing.audit import audit_log_verified

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


def test_each_event_carries_the_hash_of_its_own_content_and_waits_for_the_sequencer():
    with transaction.atomic():
        event = audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id=7,
                             before={"state": "a"}, after={"state": "b"})
    stored = AuditEvent.objects.get(seq=event.seq)
    assert stored.hash == event_hash(stored) == event.hash
    assert list(AuditPending.objects.values_list("event_id", flat=True)) == [event.seq]


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id=1)
    with pytest.raises(RuntimeError):
        audit_record_many(event_type="DEMO_DATA_LOADED", actor=ACTOR, rows=[{"subject_type": "t", "subject_id": 1}])
    assert not AuditEvent.objects.exists()


def test_an_unknown_event_type_is_refused():
    with transaction.atomic(), pytest.raises(ValueError, match="unknown audit event type"):
        audit_record_many(event_type="NOPE", actor=ACTOR, rows=[{"subject_type": "t", "subject_id": 1}])


def test_events_cannot_be_edited_or_deleted_through_the_model():
    with transaction.atomic():
        audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id=1)
    event = AuditEvent.objects.get()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_bulk_events_are_one_per_row_with_their_own_hashes_and_verify():
    rows = [{"subject_type": "card", "subject_id": f"C{i}", "person_id": i, "before": {"state": "issued"},
             "after": {"state": "active"}} for i in range(4500)]
    with transaction.atomic():
        assert audit_record_many(event_type="DEMO_DATA_LOADED", actor=ACTOR, rows=rows, batch_size=1000) == 4500
    events = list(AuditEvent.objects.order_by("seq"))
    assert [e.subject_id for e in events] == [f"C{i}" for i in range(4500)]
    assert all(e.hash == event_hash(e) for e in events)
    assert AuditPending.objects.count() == 4500
    assert audit_log_verified()[:2] == (True, None)


def test_events_verify_when_written_with_a_local_time_zone():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from sscard.core import clock

    clock.freeze(dt.datetime(2026, 5, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    with transaction.atomic():
        audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id=1)
        audit_record_many(event_type="DEMO_DATA_LOADED", actor=ACTOR, rows=[{"subject_type": "t", "subject_id": 2}])
    assert audit_log_verified()[0]
