"""Every pair of the batch, batch-row, production-order and production-item state tables, and every absent pair
refused with nothing changed."""

import itertools

import pytest

from sscard.audit.models import AuditEvent
from sscard.batches.choices import BatchEvent, BatchStatus
from sscard.batches.models import Batch
from sscard.batches.rules import TRANSITIONS as BATCH_TABLE
from sscard.batches.states import batch_move
from sscard.core import clock
from sscard.core.errors import Conflict
from sscard.production.choices import ItemEvent, ItemStage, OrderStage
from sscard.production.models import ProductionItem, ProductionOrder
from sscard.production.rules import ITEM_TRANSITIONS, ORDER_TRANSITIONS
from sscard.production.services import ORDER_AUDIT, _items_move, order_move
from sscard.staff.actors import Actor
from sscard.testing import batch_files as bf
from sscard.testing import factories as f
from sscard.testing.batch_flow import paper_batch

pytestmark = pytest.mark.django_db
ACTOR = Actor.system("table-test")
ORDER_EVENTS = sorted({e for _, e in ORDER_TRANSITIONS})


def _batch(status: str) -> Batch:
    outlet = f.make_outlet()
    employer, handler = f.make_employer()
    from sscard.employers.models import EmployerHandler

    now = clock.now()
    return Batch.objects.create(
        batch_no=f"PL{next(bf._serial):016d}", business="batch_apply", kind="new_card", route="paper",
        channel="window", catalogue_version="t", employer=employer,
        handler=EmployerHandler.objects.get(employer=employer), handler_doc_type="id_card", outlet=outlet,
        actor_name="t", actor_role="clerk", status=status, source_name="x", source_format="json",
        source_sha256=f"{next(bf._serial):064d}", submitted_at=now, updated_at=now)


@pytest.mark.parametrize(("state", "event"), sorted(BATCH_TABLE))
def test_batch_pairs(state, event):
    batch = _batch(state)
    batch_move(actor=ACTOR, batch=batch, event=event)
    assert Batch.objects.get(pk=batch.pk).status == BATCH_TABLE[(state, event)]


@pytest.mark.parametrize(("state", "event"),
                         [p for p in itertools.product(BatchStatus.values, BatchEvent.values) if p not in BATCH_TABLE])
def test_batch_absent_pairs_refused(state, event):
    batch = _batch(state)
    before = AuditEvent.objects.count()
    with pytest.raises(Conflict):
        batch_move(actor=ACTOR, batch=batch, event=event)
    assert Batch.objects.get(pk=batch.pk).status == state and AuditEvent.objects.count() == before


@pytest.fixture
def order(clerk_api, django_capture_on_commit_callbacks):
    from sscard.production.services import orders_generate

    batch_no = paper_batch(clerk_api, f.make_employer(), [bf.person_row()], capture=django_capture_on_commit_callbacks)
    (made,) = orders_generate(actor=ACTOR, batch_no=batch_no)
    return made


@pytest.mark.parametrize(("stage", "event"), sorted(ORDER_TRANSITIONS))
def test_order_pairs(order, stage, event):
    ProductionOrder.objects.filter(pk=order.pk).update(stage=stage)
    order.refresh_from_db()
    order_move(actor=ACTOR, order=order, event=event)
    assert ProductionOrder.objects.get(pk=order.pk).stage == ORDER_TRANSITIONS[(stage, event)]
    assert AuditEvent.objects.filter(event_type=ORDER_AUDIT[event], subject_id=order.order_no).exists()


@pytest.mark.parametrize(("stage", "event"),
                         [p for p in itertools.product(OrderStage.values, ORDER_EVENTS) if p not in ORDER_TRANSITIONS])
def test_order_absent_pairs_refused(order, stage, event):
    ProductionOrder.objects.filter(pk=order.pk).update(stage=stage)
    order.refresh_from_db()
    with pytest.raises(Conflict):
        order_move(actor=ACTOR, order=order, event=event)
    assert ProductionOrder.objects.get(pk=order.pk).stage == stage


@pytest.mark.parametrize(("stage", "event"), sorted(ITEM_TRANSITIONS))
def test_item_pairs(order, stage, event):
    item = order.items.get()
    ProductionItem.objects.filter(pk=item.pk).update(stage=stage)
    item.refresh_from_db()
    _items_move([item], event, clock.now())
    assert ProductionItem.objects.get(pk=item.pk).stage == ITEM_TRANSITIONS[(stage, event)]


@pytest.mark.parametrize(("stage", "event"),
                         [p for p in itertools.product(ItemStage.values, ItemEvent.values) if p not in ITEM_TRANSITIONS])
def test_item_absent_pairs_refused(order, stage, event):
    item = order.items.get()
    ProductionItem.objects.filter(pk=item.pk).update(stage=stage)
    item.refresh_from_db()
    with pytest.raises(Conflict):
        _items_move([item], event, clock.now())
    assert ProductionItem.objects.get(pk=item.pk).stage == stage


def test_row_pair_convert(clerk_api, django_capture_on_commit_callbacks):
    """accepted --convert--> converted, through the window's batch-to-individual service."""
    from sscard.batches.models import BatchRow
    from sscard.batches.rules import ROW_TRANSITIONS

    assert ROW_TRANSITIONS == {("accepted", "convert"): "converted"}
    batch_no = paper_batch(clerk_api, f.make_employer(), [bf.person_row()], capture=django_capture_on_commit_callbacks)
    row = BatchRow.objects.get(batch__batch_no=batch_no)
    with django_capture_on_commit_callbacks(execute=True):
        assert _convert(clerk_api, row).status_code == 200
    assert BatchRow.objects.get(pk=row.pk).status == "converted"


@pytest.mark.parametrize("status", ["refused", "converted"])
def test_row_absent_pairs_refused(status, clerk_api, django_capture_on_commit_callbacks):
    """A row not accepted cannot leave its batch, even when its application still looks convertible."""
    from sscard.batches.models import BatchRow
    from sscard.desk.models import ServiceRequest

    batch_no = paper_batch(clerk_api, f.make_employer(), [bf.person_row()], capture=django_capture_on_commit_callbacks)
    row = BatchRow.objects.get(batch__batch_no=batch_no)
    BatchRow.objects.filter(pk=row.pk).update(status=status)
    before = AuditEvent.objects.count()
    resp = _convert(clerk_api, row)
    assert resp.status_code == 409 and resp.json()["code"] == "BATCH_ROW_STATE"
    assert BatchRow.objects.get(pk=row.pk).status == status and AuditEvent.objects.count() == before
    assert ServiceRequest.objects.get(pk=row.request_id).production_mode == "batch"


def _convert(clerk_api, row):
    return clerk_api.post("/production/to-individual",
                          {"applicant": {"doc_type": "id_card", "number": row.person.id_number},
                           "evidence": f.window_evidence()})
