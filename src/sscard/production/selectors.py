"""Reads of central production: a batch's progress per stage, overdue orders, one item by request."""

from django.db.models import Count

from sscard.core import clock
from sscard.production.choices import ItemStage, OrderStage
from sscard.production.models import ProductionItem, ProductionOrder

DONE_ORDER_STAGES = (OrderStage.ARRIVED, OrderStage.CLOSED)


def stage_counts(qs) -> dict[str, int]:
    counts = dict(qs.values_list("stage").annotate(n=Count("id")).values_list("stage", "n"))
    return {stage: counts.get(stage, 0) for stage in ItemStage.values}


def batch_production(batch) -> dict:
    """Orders of a batch with per-stage item counts, and the failed items with stage and reason."""
    now = clock.now()
    orders = []
    for order in ProductionOrder.objects.filter(batch=batch).order_by("order_no"):
        orders.append({"order_no": order.order_no, "bank": order.bank, "stage": order.stage,
                       "stage_label": OrderStage(order.stage).label, "due_at": order.due_at,
                       "overdue": bool(order.due_at and order.due_at < now and order.stage not in DONE_ORDER_STAGES),
                       "items": stage_counts(order.items.all())})
    failed = [{"line_no": i.batch_row.line_no, "order_no": i.order.order_no, "item_no": i.item_no,
               "failure_stage": i.failure_stage, "failure_code": i.failure_code, "reason": i.failure_reason}
              for i in ProductionItem.objects.select_related("batch_row", "order")
              .filter(order__batch=batch, stage=ItemStage.FAILED).order_by("batch_row__line_no")]
    return {"orders": orders, "items": stage_counts(ProductionItem.objects.filter(order__batch=batch)),
            "failed": failed}


def orders_overdue(now=None, *, outlet_id: int | None = None):
    """Orders past their due time (10 working days) whose cards have not reached the outlet; ``outlet_id``:
    those bound for that outlet."""
    now = now or clock.now()
    qs = (ProductionOrder.objects.select_related("batch__employer", "outlet")
          .filter(due_at__lt=now).exclude(stage__in=DONE_ORDER_STAGES).order_by("due_at", "order_no"))
    return qs.filter(outlet_id=outlet_id) if outlet_id is not None else qs


def orders_overdue_rows(*, now=None, outlet_id: int | None = None, limit: int = 100) -> list[dict]:
    """``orders_overdue`` as rows for the supervisor's dashboard: the order, its batch and employer, the
    outlet, the stage, the due time, hours overdue and the number of cards."""
    now = now or clock.now()
    qs = orders_overdue(now, outlet_id=outlet_id).annotate(cards=Count("items"))[:limit]
    return [{"order_no": o.order_no, "batch_no": o.batch.batch_no, "employer": o.batch.employer.name,
             "outlet": o.outlet.name, "stage": o.stage, "stage_label": str(OrderStage(o.stage).label),
             "due_at": o.due_at, "hours_overdue": round((now - o.due_at).total_seconds() / 3600, 1),
             "cards": o.cards} for o in qs]


def outlet_batch_work(outlet_id: int) -> dict:
    """What an outlet's window has to do for batch cards: orders on their way to be signed for on arrival,
    and batches with cards waiting for the employer's handler (counts only, no personal data)."""
    in_transit = [{"order_no": o.order_no, "batch_no": o.batch.batch_no, "employer": o.batch.employer.name,
                   "cards": o.items.filter(stage=ItemStage.IN_TRANSIT).count()}
                  for o in ProductionOrder.objects.select_related("batch__employer")
                  .filter(outlet_id=outlet_id, stage=OrderStage.IN_TRANSIT).order_by("order_no")]
    ready = {}
    for item in (ProductionItem.objects.select_related("order__batch__employer")
                 .filter(order__outlet_id=outlet_id, stage=ItemStage.READY)):
        batch = item.order.batch
        entry = ready.setdefault(batch.batch_no, {"batch_no": batch.batch_no, "employer": batch.employer.name,
                                                  "cards": 0})
        entry["cards"] += 1
    return {"in_transit": in_transit, "ready": sorted(ready.values(), key=lambda b: b["batch_no"])}

