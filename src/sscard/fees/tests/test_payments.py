"""payment_record: validation, receipt numbers, audit."""

import datetime as dt

import pytest
from django.db import transaction

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.core.errors import InvalidInput
from sscard.fees.models import Payment
from sscard.fees.rules import receipt_number
from sscard.fees.services import payment_record
from sscard.staff.actors import Actor
from sscard.testing.audit import audit_log_verified

pytestmark = pytest.mark.django_db
# Frozen in UTC: the audit chain currently hashes `at` in its given offset (reported to the audit owner).


@pytest.fixture
def clerk():
    return Actor(kind="staff", role="clerk", name="窗口一", channel="window", outlet_id=12, staff_id=5)


@pytest.fixture(autouse=True)
def _frozen():
    clock.freeze(dt.datetime(2026, 5, 15, 2, 0, tzinfo=dt.UTC))  # 10:00 in Chongqing


def pay(actor, **kw):
    args = dict(actor=actor, amount_fen=2000, method="paid", subject_type="service_request", subject_id=41)
    args.update(kw)
    return payment_record(**args)


def test_paid(clerk):
    p = pay(clerk, person_id=9, paid_by_name="张三丰")
    p.refresh_from_db()
    assert (p.amount_fen, p.method, p.offset_reference) == (2000, "paid", "")
    assert p.receipt_no == "SF202605150012000001"
    assert p.paid_by_name == "张**"
    assert (p.actor_name, p.actor_role, p.channel, p.outlet_id) == ("窗口一", "clerk", "window", 12)
    assert (p.subject_type, p.subject_id, p.person_id) == ("service_request", "41", 9)
    assert p.created_at == clock.now()


def test_offset_with_reference(clerk):
    p = pay(clerk, method="offset", offset_reference=" DK-2026-0001 ")
    assert Payment.objects.get(pk=p.pk).offset_reference == "DK-2026-0001"


@pytest.mark.parametrize("kw, code", [
    ({"method": "offset"}, "FEE_OFFSET_REFERENCE_REQUIRED"),
    ({"method": "offset", "offset_reference": "   "}, "FEE_OFFSET_REFERENCE_REQUIRED"),
    ({"method": "cash"}, "FEE_METHOD_UNKNOWN"),
    ({"amount_fen": -1}, "FEE_AMOUNT_INVALID"),
    ({"amount_fen": 20.0}, "FEE_AMOUNT_INVALID"),
    ({"amount_fen": True}, "FEE_AMOUNT_INVALID"),
    ({"subject_type": ""}, "FEE_SUBJECT_INVALID"),
])
def test_invalid_payments_are_refused_and_nothing_is_saved(clerk, kw, code):
    with pytest.raises(InvalidInput) as exc:
        pay(clerk, **kw)
    assert exc.value.code == code
    assert Payment.objects.count() == 0
    assert AuditEvent.objects.count() == 0


def test_zero_amount_is_allowed(clerk):
    assert pay(clerk, amount_fen=0).amount_fen == 0


def test_receipt_numbers_are_unique_per_outlet_and_day(clerk):
    kiosk = Actor(kind="kiosk", role="kiosk", name="K01", channel="kiosk", outlet_id=3, kiosk_id=1)
    app = Actor(kind="citizen", role="citizen", name="APP用户#1", channel="app", citizen_id=1)
    numbers = [pay(clerk).receipt_no for _ in range(3)] + [pay(kiosk).receipt_no, pay(app).receipt_no]
    assert numbers == ["SF202605150012000001", "SF202605150012000002", "SF202605150012000003",
                       "SF202605150003000001", "SF202605150000000001"]
    clock.freeze(dt.datetime(2026, 5, 15, 16, 5, tzinfo=dt.UTC))  # 00:05 on the 16th in Chongqing
    assert pay(clerk).receipt_no == "SF202605160012000001"
    assert Payment.objects.values("receipt_no").distinct().count() == 6


def test_receipt_clash_is_retried_with_the_next_number(clerk):
    taken = receipt_number(dt.date(2026, 5, 15), 12, 1)
    Payment.objects.create(receipt_no=taken, amount_fen=0, method="paid", subject_type="x", subject_id="1",
                           actor_kind="system", actor_name="s", actor_role="system", channel="system",
                           created_at=clock.now())
    assert pay(clerk).receipt_no == receipt_number(dt.date(2026, 5, 15), 12, 2)


def test_audit_event_written_in_the_same_transaction(clerk):
    p = pay(clerk, method="offset", offset_reference="DK9", person_id=9)
    event = AuditEvent.objects.get(event_type="FEE_SETTLED")
    assert (event.subject_type, event.subject_id, event.person_id) == ("service_request", "41", 9)
    assert event.after == {"receipt_no": p.receipt_no, "amount_fen": 2000, "method": "offset",
                           "offset_reference": "DK9"}
    assert event.data["payment_id"] == p.pk
    assert (event.channel, event.outlet_id, event.actor_name) == ("window", 12, "窗口一")
    assert audit_log_verified()[:2] == (True, None), audit_log_verified()


def test_caller_rollback_undoes_payment_and_audit(clerk):
    with pytest.raises(RuntimeError):
        with transaction.atomic():
            pay(clerk)
            raise RuntimeError("caller failed later")
    assert Payment.objects.count() == 0
    assert AuditEvent.objects.filter(event_type="FEE_SETTLED").count() == 0
