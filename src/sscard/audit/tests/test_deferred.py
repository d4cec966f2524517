"""Holding a business's audit events back until its device calls are done (``audit_deferred``), and
knowing whether the current business transaction has written audit events (``audit_written``)."""

import pytest
from django.db import transaction

from sscard.audit.models import AuditEvent
from sscard.audit.services import audit_deferred, audit_record, audit_written
from sscard.staff.actors import Actor
from sscard.testing.audit import audit_log_verified

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


def _record(i, **kw):
    return audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id=i,
                        data={"i": i}, **kw)


def _subjects() -> list[str]:
    return list(AuditEvent.objects.order_by("seq").values_list("subject_id", flat=True))


def test_held_back_events_are_appended_in_order_when_the_block_ends():
    with transaction.atomic():
        with audit_deferred():
            first = _record(1)
            with transaction.atomic():  # a service's own block inside the business
                _record(2)
            assert not AuditEvent.objects.exists() and not audit_written()
            assert first.seq is None
        assert _subjects() == ["1", "2"] and first.seq is not None
        assert audit_written()  # appended: the change is written and its rows stay locked until the commit
        _record(3)
    assert _subjects() == ["1", "2", "3"]
    assert audit_log_verified() == (True, None, "3 条记录校验通过（1 个签名树头）")


def test_an_exception_out_of_the_block_drops_the_held_events():
    with pytest.raises(ValueError):
        with transaction.atomic(), audit_deferred():
            _record(1)
            raise ValueError("refused after the event was recorded")
    assert not AuditEvent.objects.exists()


def test_an_event_of_a_rolled_back_savepoint_is_dropped_with_it():
    with transaction.atomic(), audit_deferred():
        _record(1)
        try:
            with transaction.atomic():
                _record(2)
                raise ValueError("lost a race: the savepoint rolls back, the business goes on")
        except ValueError:
            pass
        with transaction.atomic():
            _record(3)
    assert _subjects() == ["1", "3"]
    assert audit_log_verified()[0]


def test_a_nested_block_joins_the_outer_one():
    with transaction.atomic(), audit_deferred():
        with audit_deferred():
            _record(1)
        assert not AuditEvent.objects.exists()
        _record(2)
    assert _subjects() == ["1", "2"]


def test_outside_a_business_transaction_it_does_nothing():
    with audit_deferred():  # test level: each service's own transaction appends as usual
        with transaction.atomic():
            _record(1)
        assert _subjects() == ["1"]


def test_written_from_the_first_append_to_the_end_of_the_business_transaction():
    assert not audit_written()
    with transaction.atomic():
        assert not audit_written()
        _record(1)
        assert audit_written()
        with transaction.atomic():
            assert audit_written()  # a nested block is the same transaction
    assert not audit_written()
    with transaction.atomic():
        assert not audit_written()  # the next business's transaction


def test_a_rolled_back_savepoint_forgets_its_write():
    with transaction.atomic():
        try:
            with transaction.atomic():
                _record(1)
                raise ValueError
        except ValueError:
            pass
        assert not audit_written()


@pytest.mark.django_db(transaction=True)
def test_commit_and_rollback_end_the_hold_on_a_real_transaction():
    with transaction.atomic():
        _record(1)
        assert audit_written()
    assert not audit_written()
    with pytest.raises(ValueError):
        with transaction.atomic():
            _record(2)
            raise ValueError
    with transaction.atomic():
        assert not audit_written()
    assert _subjects() == ["1"]
