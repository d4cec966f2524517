"""叫号: numbers per outlet and day, next / recall / skip, two windows never call the same person."""

import datetime as dt

import pytest

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.core.errors import Forbidden
from sscard.desk import queue
from sscard.desk.models import QueueTicket
from sscard.staff.actors import Actor
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


@pytest.fixture
def windows(outlet):
    one, two = f.make_staff("clerk", outlet), f.make_staff("clerk", outlet)
    one.window, two.window = "1号窗口", "2号窗口"
    one.save()
    two.save()
    return Actor.for_staff(one), Actor.for_staff(two)


def test_numbers_count_up_per_outlet_and_start_again_each_day(windows, outlet):
    a, _ = windows
    assert [queue.queue_ticket_issue(actor=a).label for _ in range(3)] == ["A001", "A002", "A003"]
    other = Actor.for_staff(f.make_staff("clerk", f.make_outlet()))
    assert queue.queue_ticket_issue(actor=other).label == "A001"
    clock.freeze(clock.now() + dt.timedelta(days=1))
    assert queue.queue_ticket_issue(actor=a).label == "A001"


def test_two_windows_call_two_people_in_order_and_next_finishes_the_current(windows):
    a, b = windows
    for _ in range(3):
        queue.queue_ticket_issue(actor=a)
    assert queue.queue_call_next(actor=a).label == "A001"
    assert queue.queue_call_next(actor=b).label == "A002"
    assert queue.queue_current(a).window == "1号窗口"
    assert queue.queue_call_next(actor=a).label == "A003"
    assert QueueTicket.objects.get(label="A001").status == "done"
    assert queue.queue_call_next(actor=a) is None and queue.queue_current(a) is None
    assert AuditEvent.objects.filter(event_type="QUEUE_TICKET_CALLED").count() == 3


def test_recall_counts_and_skip_sets_the_ticket_aside(windows):
    a, _ = windows
    queue.queue_ticket_issue(actor=a)
    queue.queue_call_next(actor=a)
    assert queue.queue_recall(actor=a).calls == 2
    skipped = queue.queue_skip(actor=a)
    assert skipped.status == "skipped" and queue.queue_current(a) is None
    assert queue.queue_recall(actor=a) is None


def test_the_business_done_is_linked_to_the_ticket(windows):
    a, _ = windows
    queue.queue_ticket_issue(actor=a)
    queue.queue_call_next(actor=a)
    queue.queue_link_business(actor=a, request_no="YW2026120300000001")
    assert queue.queue_ticket_of("YW2026120300000001").label == "A001"


def test_only_a_clerk_calls(outlet):
    with pytest.raises(Forbidden):
        queue.queue_call_next(actor=Actor.for_staff(f.make_staff("reviewer")))
