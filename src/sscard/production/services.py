"""Writers of central production: orders from accepted batch rows, files out to the bank and the card
vendor, their result files back, shipping to the outlet and arrival.

Every function locks the order, re-checks its stage against ``rules.ORDER_TRANSITIONS`` (items against
``ITEM_TRANSITIONS``), saves, and writes one audit event for the order with the items it moved (a file
moves thousands of items at once: one event per file keeps the chain fast and still names every item).
Failed items go back to the employer: their application is voided with the failing stage and reason,
so the person can be submitted again.  Re-importing a result file changes nothing (``ExchangeRecord``).
"""

from dataclasses import dataclass

from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.batches.choices import RowStatus
from sscard.batches.models import BatchRow
from sscard.batches.states import batch_lock
from sscard.cards.models import Card
from sscard.core import clock
from sscard.core.errors import Conflict, InvalidInput, NotFound
from sscard.desk.choices import ProductionMode, RequestEvent, RequestStatus
from sscard.desk.services import request_move, requests_production_finished
from sscard.notify.choices import MessageKind, Recipient
from sscard.notify.services import notify_enqueue
from sscard.policy.catalogue import policy_setting
from sscard.production import exchange_files as xf
from sscard.production.cards import cards_make_for
from sscard.production.choices import FailureStage, ItemEvent, ItemStage, OrderStage
from sscard.production.folders import write_out
from sscard.production.models import CardNumberBlock, ExchangeRecord, ProductionItem, ProductionOrder
from sscard.production.rules import next_item_stage, next_order_stage
from sscard.staff.permissions import require

SUBJECT = "production_order"
# The audit event of each order-table event (``rules.ORDER_TRANSITIONS``).
ORDER_AUDIT = {
    "send_bank": AuditEventType.ORDER_SENT_TO_BANK,
    "bank_result": AuditEventType.ORDER_BANK_RESULT_IMPORTED,
    "send_vendor": AuditEventType.ORDER_SENT_TO_VENDOR,
    "vendor_result": AuditEventType.ORDER_VENDOR_RESULT_IMPORTED,
    "ship": AuditEventType.ORDER_SHIPPED,
    "arrive": AuditEventType.ORDER_ARRIVED,
    "close": AuditEventType.ORDER_CLOSED,
}
CARD_PREFIX = "C"  # centrally made cards: C + 8 digits (window cards use B, card_no_new)


@dataclass(frozen=True)
class ImportOutcome:
    order_no: str
    kind: str
    already_imported: bool
    ok_rows: int = 0
    failed_rows: int = 0


def order_lock(order_no: str) -> ProductionOrder:
    order = ProductionOrder.objects.select_for_update().filter(order_no=str(order_no)[:24]).first()
    if order is None:
        raise NotFound("ORDER_NOT_FOUND", "未找到该制卡批次")
    return order


def order_move(*, actor, order: ProductionOrder, event: str, data: dict | None = None) -> None:
    target = next_order_stage(order.stage, event)
    if target is None:
        raise Conflict("ORDER_STAGE_CONFLICT", f"制卡批次当前为“{OrderStage(order.stage).label}”，不能执行该操作",
                       details={"stage": order.stage, "event": event})
    before, order.stage, order.updated_at = order.stage, target, clock.now()
    order.save(update_fields=["stage", "updated_at"])
    audit_record(event_type=ORDER_AUDIT[event], actor=actor, subject_type=SUBJECT, subject_id=order.order_no,
                 before={"stage": before}, after={"stage": target}, data=data or {})


def _items_move(items: list[ProductionItem], event: str, now, fields=()) -> None:
    for item in items:
        target = next_item_stage(item.stage, event)
        if target is None:
            raise Conflict("ITEM_STAGE_CONFLICT", f"制卡明细 {item.item_no} 当前为“{ItemStage(item.stage).label}”，"
                           f"不能{ItemEvent(event).label}")
        item.stage, item.updated_at = target, now
    ProductionItem.objects.bulk_update(items, ["stage", "updated_at", *fields], batch_size=1000)


def _order_no(batch_no: str, index: int) -> str:
    return f"ZK{batch_no[2:]}{index:02d}"


def orders_generate(*, actor, batch_no: str) -> list[ProductionOrder]:
    """Group a batch's accepted rows that are ready for production (fee settled) into orders, one per
    service bank and at most ``production_order_max_items`` items each.  Idempotent: rows already in an
    order are skipped."""
    created = []
    with transaction.atomic():
        batch = batch_lock(batch_no)
        rows = list(BatchRow.objects.select_related("request")
                    .filter(batch=batch, status=RowStatus.ACCEPTED, request__status=RequestStatus.IN_PRODUCTION,
                            request__production_mode=ProductionMode.BATCH, production_item__isnull=True)
                    .order_by("line_no"))
        if not rows:
            return []
        by_bank: dict[str, list] = {}
        for row in rows:
            by_bank.setdefault(row.request.payload.get("service_bank", ""), []).append(row)
        size = int(policy_setting("production_order_max_items"))
        index = ProductionOrder.objects.filter(batch=batch).count()
        now = clock.now()
        for bank in sorted(by_bank):
            group = by_bank[bank]
            for start in range(0, len(group), size):
                index += 1
                order = ProductionOrder.objects.create(
                    order_no=_order_no(batch.batch_no, index), batch=batch, bank=bank, outlet=batch.outlet,
                    stage=OrderStage.GENERATED, due_at=batch.due_at, created_at=now, updated_at=now)
                part = group[start:start + size]
                ProductionItem.objects.bulk_create([
                    ProductionItem(order=order, item_no=f"{n:06d}", request=row.request, batch_row=row,
                                   stage=ItemStage.GENERATED, updated_at=now)
                    for n, row in enumerate(part, start=1)])
                audit_record(event_type=AuditEventType.ORDER_GENERATED, actor=actor, subject_type=SUBJECT,
                             subject_id=order.order_no, after={"stage": order.stage},
                             data={"batch_no": batch.batch_no, "bank": bank, "items": len(part),
                                   "requests": [r.request.request_no for r in part]})
                created.append(order)
    return created


def card_numbers_reserve(n: int) -> list[str]:
    """``n`` card numbers for centrally made cards, from a locked counter (never two alike)."""
    CardNumberBlock.objects.get_or_create(prefix=CARD_PREFIX, defaults={"next_value": 1})
    block = CardNumberBlock.objects.select_for_update().get(prefix=CARD_PREFIX)
    out: list[str] = []
    value = block.next_value
    while len(out) < n:
        want = [f"{CARD_PREFIX}{v:08d}" for v in range(value, value + (n - len(out)))]
        if value + len(want) > 10**8:
            raise Conflict("CARD_NUMBERS_EXHAUSTED", "集中制卡卡号已用完，请配置新的卡号字母")
        used = set(Card.objects.filter(card_no__in=want).values_list("card_no", flat=True))
        out.extend(c for c in want if c not in used)
        value += len(want)
    block.next_value = value
    block.save(update_fields=["next_value"])
    return out


def _bank_row(item: ProductionItem) -> dict[str, str]:
    p = item.request.applicant
    return {"item_no": item.item_no, "name": p.name, "doc_type": p.id_type, "id_number": p.id_number,
            "gender": p.gender, "birth_date": p.birth_date.isoformat(), "phone": p.phone,
            "address": p.address, "bank": item.order.bank}


def _vendor_row(item: ProductionItem) -> dict[str, str]:
    p = item.request.applicant
    photo = item.batch_row.scans.get("photo", "")
    return {"item_no": item.item_no, "name": p.name, "doc_type": p.id_type, "id_number": p.id_number,
            "gender": p.gender, "birth_date": p.birth_date.isoformat(), "nationality": p.nationality,
            "bank": item.order.bank, "account_no": item.account_no, "card_no": item.card_no,
            "photo_sha256": photo}


def order_send(*, actor, order_no: str, to: str) -> str:
    """Write the order's file for the bank (``to="bank"``) or the card vendor (``"vendor"``) to the outbox
    and mark its items sent.  Returns the file name.  The file is written (atomically, sealed) inside the
    transaction: if the commit fails, a re-run writes it again with the same rows."""
    kind, event, item_stage, item_event = {
        "bank": (xf.BANK_OUT, "send_bank", ItemStage.GENERATED, ItemEvent.SEND_BANK),
        "vendor": (xf.VENDOR_OUT, "send_vendor", ItemStage.BANK_OPENED, ItemEvent.SEND_VENDOR),
    }[to]
    with transaction.atomic():
        order = order_lock(order_no)
        if next_order_stage(order.stage, event) is None:
            raise Conflict("ORDER_STAGE_CONFLICT", f"制卡批次当前为“{OrderStage(order.stage).label}”，不能报送",
                           details={"stage": order.stage})
        items = list(order.items.select_for_update(of=("self",)).select_related("request__applicant", "batch_row", "order")
                     .filter(stage=item_stage).order_by("item_no"))
        if not items:
            order_move(actor=actor, order=order, event="close", data={"reason": "no items to send"})
            return ""
        fields = []
        if to == "vendor":
            for item, no in zip(items, card_numbers_reserve(len(items))):
                item.card_no = no
            fields = ["card_no"]
        rows = [_bank_row(i) if to == "bank" else _vendor_row(i) for i in items]
        content = xf.write_exchange(kind, order.order_no, rows)
        name = xf.exchange_filename(kind, order.order_no)
        digest = write_out(name, content)
        now = clock.now()
        _items_move(items, item_event, now, fields)
        ExchangeRecord.objects.create(order=order, kind=kind, name=name, sha256=digest, rows=len(rows),
                                      created_at=now)
        order_move(actor=actor, order=order, event=event,
                   data={"file": name, "sha256": digest, "items": len(items)})
    return name


def order_import_result(*, actor, content: bytes, kind: str) -> ImportOutcome:
    """Apply a bank or vendor result file.  The whole file is checked first (format, order, every sent
    item answered exactly once); a file already imported is a no-op; a different file for the same order
    and kind is refused (``EXCHANGE_RESULT_DIFFERS``)."""
    require(actor, "production.import_result")
    result = xf.read_exchange(content, kind=kind)
    stage_sent, event = ((ItemStage.BANK_SENT, "bank_result") if kind == xf.BANK_RESULT
                         else (ItemStage.VENDOR_SENT, "vendor_result"))
    with transaction.atomic():
        order = order_lock(result.order_no)
        earlier = ExchangeRecord.objects.filter(order=order, kind=kind).first()
        if earlier is not None:
            if earlier.sha256 == result.sha256:
                return ImportOutcome(order.order_no, kind, True, earlier.ok_rows, earlier.failed_rows)
            raise Conflict("EXCHANGE_RESULT_DIFFERS", "该制卡批次已导入过另一份回盘文件，不能再次导入不同的回盘")
        if next_order_stage(order.stage, event) is None:
            raise Conflict("ORDER_STAGE_CONFLICT", f"制卡批次当前为“{OrderStage(order.stage).label}”，不能导入回盘")
        items = {i.item_no: i for i in order.items.select_for_update(of=("self",))
                 .select_related("request__applicant", "request__card").filter(stage=stage_sent)}
        answered = {r["item_no"] for r in result.rows}
        if answered - set(items):
            raise InvalidInput("EXCHANGE_UNKNOWN_ITEM", "回盘文件含有本批次未报送的明细，整份文件未导入")
        if set(items) - answered:
            raise InvalidInput("EXCHANGE_ITEMS_MISSING", f"回盘文件缺少 {len(set(items) - answered)} 条明细的结果，整份文件未导入")
        ok, failed = _apply_rows(actor, order, kind, result.rows, items)
        ExchangeRecord.objects.create(order=order, kind=kind, name=xf.exchange_filename(kind, order.order_no),
                                      sha256=result.sha256, rows=len(result.rows), ok_rows=len(ok),
                                      failed_rows=len(failed), created_at=clock.now())
        order_move(actor=actor, order=order, event=event,
                   data={"sha256": result.sha256, "ok": len(ok), "failed": [i.item_no for i in failed]})
        if not ok:
            order_move(actor=actor, order=order, event="close", data={"reason": "every item failed"})
    return ImportOutcome(order.order_no, kind, False, len(ok), len(failed))


def _apply_rows(actor, order, kind, rows, items):
    now = clock.now()
    ok, failed = [], []
    for row in rows:
        item = items[row["item_no"]]
        if row["result"] == xf.RESULT_OK:
            if kind == xf.BANK_RESULT:
                item.account_no = row["account_no"]
            ok.append((item, row))
        else:
            item.failure_stage = FailureStage.BANK if kind == xf.BANK_RESULT else FailureStage.VENDOR
            item.failure_code, item.failure_reason = row["reason_code"][:10], row["reason"][:200]
            failed.append(item)
    ok_items = [i for i, _ in ok]
    if kind == xf.BANK_RESULT:
        _items_move(ok_items, ItemEvent.BANK_OK, now, ["account_no"])
    else:
        cards_make_for(actor=actor, order=order, answers=ok)
        _items_move(ok_items, ItemEvent.VENDOR_OK, now, ["card"])
    _items_move(failed, ItemEvent.BANK_FAIL if kind == xf.BANK_RESULT else ItemEvent.VENDOR_FAIL, now,
                ["failure_stage", "failure_code", "failure_reason"])
    _void_failed(actor, failed)
    return ok_items, failed


def _void_failed(actor, failed: list[ProductionItem]) -> None:
    for item in failed:
        req = item.request
        stage = FailureStage(item.failure_stage).label
        req.review_note = f"{stage}失败：{item.failure_reason}"[:200]
        request_move(actor=actor, request=req, event=RequestEvent.VOID, target=RequestStatus.VOIDED,
                     data={"order_no": item.order.order_no, "item_no": item.item_no, "failure_stage": item.failure_stage,
                           "failure_code": item.failure_code})


def order_ship(*, actor, order_no: str) -> ProductionOrder:
    """The vendor ships the made cards to the submitting outlet."""
    with transaction.atomic():
        order = order_lock(order_no)
        items = list(order.items.select_for_update().filter(stage=ItemStage.MADE))
        _items_move(items, ItemEvent.SHIP, clock.now())
        order_move(actor=actor, order=order, event="ship", data={"items": len(items)})
    return order


def order_arrive(*, actor, order_no: str) -> ProductionOrder:
    """The submitting outlet signs for the cards: items ready, applications ready for pick-up."""
    with transaction.atomic():
        order = order_lock(order_no)
        require(actor, "production.order_arrive", outlet_id=order.outlet_id)
        items = list(order.items.select_for_update().filter(stage=ItemStage.IN_TRANSIT))
        now = clock.now()
        _items_move(items, ItemEvent.ARRIVE, now)
        ready = requests_production_finished(actor=actor, request_ids=[i.request_id for i in items],
                                             data={"order_no": order.order_no})
        order_move(actor=actor, order=order, event="arrive", data={"items": len(items), "requests_ready": ready})
        if ready:
            _notify_arrived(order, len(ready))
    return order


def _notify_arrived(order: ProductionOrder, count: int) -> None:
    """SMS to the batch's submitting handler (through the outbox, in this transaction): cards to pick up."""
    batch = order.batch
    notify_enqueue(kind=MessageKind.BATCH_CARDS_ARRIVED, recipient=Recipient.EMPLOYER_HANDLER,
                   person_id=batch.handler.person_id, subject=(SUBJECT, order.order_no),
                   params={"employer": batch.employer.name, "batch_no": batch.batch_no, "count": count,
                           "outlet": order.outlet.name})

