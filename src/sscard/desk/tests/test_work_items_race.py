"""Work items written at the same moment: one item for a double submit, one outcome for an accept and a
cancel racing.  Needs real row locks: marker ``postgres`` (deselected on SQLite, with a note)."""

import threading

import pytest
from django.db import connection

from sscard.core.errors import DomainError
from sscard.desk.hotline import caller_verify
from sscard.desk.models import WorkItem
from sscard.desk.work_items import work_item_accept, work_item_cancel, work_item_create
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.audit import audit_types

pytestmark = [pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _at_once(*calls) -> list[str]:
    barrier = threading.Barrier(len(calls))
    codes: list[str] = []
    lock = threading.Lock()

    def run(call):
        try:
            barrier.wait(30)
            try:
                call()
                code = "OK"
            except DomainError as exc:
                code = exc.code
            with lock:
                codes.append(code)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(c,)) for c in calls]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return sorted(codes)


@pytest.fixture
def sent():
    person = f.make_person()
    card = f.make_card(person)
    outlet = f.make_outlet()
    operator = Actor.for_staff(f.make_staff("hotline"))
    caller = caller_verify(actor=operator, card_no=card.card_no, name=person.name, id_number=person.id_number)
    return operator, caller, outlet


def test_a_double_submit_makes_one_item(sent):
    operator, caller, outlet = sent

    def send():
        work_item_create(actor=operator, caller=caller, outlet_id=outlet.pk, category="预约办理",
                         note="预约窗口办理")

    assert _at_once(send, send, send) == ["OK", "WORK_ITEM_DUPLICATE", "WORK_ITEM_DUPLICATE"]
    assert WorkItem.objects.count() == 1


def test_an_accept_and_a_cancel_at_once_end_in_one_state(sent):
    operator, caller, outlet = sent
    item = work_item_create(actor=operator, caller=caller, outlet_id=outlet.pk, category="投诉建议",
                            note="窗口排队太久")
    clerk = Actor.for_staff(f.make_staff("clerk", outlet))
    codes = _at_once(lambda: work_item_accept(actor=clerk, work_item_no=item.work_item_no),
                     lambda: work_item_accept(actor=clerk, work_item_no=item.work_item_no),
                     lambda: work_item_cancel(actor=operator, work_item_no=item.work_item_no,
                                              reason="来电人撤回"))
    state = WorkItem.objects.get(pk=item.pk).state
    # the cancel may come first (both accepts refused) or after an accept (an accepted item may be cancelled)
    conflict = "WORK_ITEM_STATE_CONFLICT"
    assert codes in (["OK", "OK", conflict], ["OK", conflict, conflict])
    assert state == "cancelled"
    assert audit_types(item.work_item_no).count("WORK_ITEM_ACCEPTED") == codes.count("OK") - 1
