import pytest
from django.core.management import CommandError, call_command
from django.db import transaction

from sscard.audit.models import AuditEvent
from sscard.audit.services import audit_record, audit_verify_chain
from sscard.staff.actors import Actor

pytestmark = pytest.mark.django_db

ACTOR = Actor.system("test")


def _write(n: int):
    for i in range(n):
        with transaction.atomic():
            audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id=i,
                         before={"state": "a"}, after={"state": "b"}, data={"i": i})


def test_chain_links_each_event_to_the_previous():
    _write(3)
    events = list(AuditEvent.objects.order_by("seq"))
    assert events[0].prev_hash == "0" * 64
    assert [e.prev_hash for e in events[1:]] == [e.hash for e in events[:-1]]
    assert audit_verify_chain() == (True, None, "3 条记录校验通过")


@pytest.mark.django_db(transaction=True)
def test_audit_outside_a_transaction_is_refused():
    with pytest.raises(RuntimeError):
        audit_record(event_type="DEMO_DATA_LOADED", actor=ACTOR, subject_type="thing", subject_id=1)


def test_events_cannot_be_edited_or_deleted_through_the_model():
    _write(1)
    event = AuditEvent.objects.get()
    with pytest.raises(RuntimeError):
        event.save()
    with pytest.raises(RuntimeError):
        event.delete()


def test_verify_names_the_first_tampered_row():
    _write(4)
    second = AuditEvent.objects.order_by("seq")[1]
    AuditEvent.objects.filter(seq=second.seq).update(after={"state": "forged"})
    ok, seq, reason = audit_verify_chain()
    assert (ok, seq) == (False, second.seq)
    assert "篡改" in reason
    with pytest.raises(CommandError, match=f"seq={second.seq}"):
        call_command("verify_audit_chain")


def test_verify_detects_a_deleted_row_and_a_cut_tail():
    _write(4)
    rows = list(AuditEvent.objects.order_by("seq"))
    AuditEvent.objects.filter(seq=rows[1].seq).delete()
    ok, seq, _ = audit_verify_chain()
    assert (ok, seq) == (False, rows[2].seq)


def test_verify_detects_a_removed_last_row():
    _write(3)
    last = AuditEvent.objects.order_by("-seq").first()
    AuditEvent.objects.filter(seq=last.seq).delete()
    ok, _, reason = audit_verify_chain()
    assert not ok and "链尾" in reason


def test_command_reports_an_intact_chain(capsys):
    _write(2)
    call_command("verify_audit_chain")
    assert "审计链完整" in capsys.readouterr().out


def test_chain_verifies_when_written_with_a_local_time_zone():
    import datetime as dt
    from zoneinfo import ZoneInfo

    from sscard.core import clock

    clock.freeze(dt.datetime(2026, 5, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")))
    _write(2)
    assert audit_verify_chain()[0]
