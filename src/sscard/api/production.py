"""Central production of batch cards: progress per stage, arrival at the outlet, pick-up by the unit,
batch to individual, overdue orders, and the exchange with the bank and the card vendor.

Access: clerks act at their own outlet (arrival, pick-up, batch to individual); supervisors and
administrators read everything and run the exchange or import a result file by hand.
"""

import datetime as dt
from typing import Annotated

from ninja import Field, File, Form, Path, Query, Router, Schema
from ninja.files import UploadedFile

from sscard.api.auth import operation
from sscard.api.schemas import (
    ERRORS,
    EX_EVIDENCE,
    EX_HANDLER_ID_NUMBER,
    EX_ORDER_NO,
    BatchNo,
    DocIn,
    EvidenceIn,
    RequestOut,
    StrictIn,
    example_of,
    image,
)
from sscard.archive.services import decode_base64_image
from sscard.batches import selectors as batch_selectors
from sscard.core.errors import InvalidInput
from sscard.production import selectors
from sscard.production.conversion import batch_to_individual
from sscard.production.exchange import exchange_cycle
from sscard.production.pickup import PickupLetter, batch_pickup
from sscard.production.services import order_arrive, order_import_result

router = Router(tags=["集中制卡"])
RESULT_KINDS = ("bank_result", "vendor_result")
MAX_RESULT_BYTES = 256 * 1024 * 1024


class OrderOut(Schema):
    order_no: str
    bank: str
    stage: str
    stage_label: str
    due_at: dt.datetime | None
    overdue: bool
    items: dict[str, int]


class FailedItemOut(Schema):
    line_no: int
    order_no: str
    item_no: str
    failure_stage: str
    failure_code: str
    reason: str


class BatchProductionOut(Schema):
    batch_no: str
    items: dict[str, int]
    orders: list[OrderOut]
    failed: list[FailedItemOut]


class PickupIn(StrictIn):
    handler: DocIn = Field(description="前来领卡的单位经办人证件",
                           examples=[{"doc_type": "id_card", "number": EX_HANDLER_ID_NUMBER}])
    letter_image: str | None = image("加盖单位公章的介绍信影像（非批次经办人领卡时提供，与 letter_paper_ref 二选一）")
    letter_paper_ref: str = Field(default="", max_length=100, description="领卡介绍信纸质原件的档案编号（无影像时填写）",
                                  examples=["渝中区2026-领卡-0001"])
    letter_sealed: bool = Field(False, description="窗口已核对介绍信加盖单位公章", examples=[True])


class PickupOut(Schema):
    batch_no: str
    cards_handed_over: int
    activation_due_at: dt.datetime


class ConvertIn(StrictIn):
    applicant: DocIn = Field(description="批量申领中的持卡人证件", examples=[example_of(DocIn)])
    agent: DocIn | None = Field(None, description="代办人证件（他人代办时填写）",
                                examples=[{"doc_type": "id_card", "number": EX_HANDLER_ID_NUMBER}])
    evidence: EvidenceIn = Field(default_factory=EvidenceIn, description="窗口留存的证明材料（照片取自批次扫描件）",
                                 examples=[EX_EVIDENCE])


class ImportOut(Schema):
    order_no: str
    kind: str
    already_imported: bool
    ok_rows: int
    failed_rows: int


class CycleOut(Schema):
    orders_generated: int
    files_sent: list[str]
    results_imported: list[str]
    results_refused: list[list[str]]
    orders_shipped: int


@router.get("/batches/{batch_no}", response={200: BatchProductionOut, **ERRORS}, summary="批次制卡进度（按环节）")
@operation("production.batch_progress")
def batch_progress(request, batch_no: BatchNo):
    actor = request.auth
    batch = batch_selectors.batch_for(actor, batch_no)
    return BatchProductionOut(batch_no=batch.batch_no, **selectors.batch_production(batch))


@router.post("/orders/{order_no}/arrive", response={200: OrderOut, **ERRORS}, summary="网点签收制卡批次")
@operation("production.order_arrive")
def order_arrive_view(request, order_no: Annotated[str, Path(description="制卡订单号", example=EX_ORDER_NO)]):
    actor = request.auth
    order = order_arrive(actor=actor, order_no=order_no)
    return OrderOut(order_no=order.order_no, bank=order.bank, stage=order.stage,
                    stage_label=order.get_stage_display(), due_at=order.due_at, overdue=False,
                    items=selectors.stage_counts(order.items.all()))


@router.post("/batches/{batch_no}/pickup", response={200: PickupOut, **ERRORS}, summary="单位经办人领取批量社保卡",
             description="仅限提交批次的网点；领取满 96 小时后系统自动启用卡的社保功能（activation_due_at）。")
@operation("production.batch_pickup")
def batch_pickup_view(request, batch_no: BatchNo, payload: PickupIn):
    actor = request.auth
    letter = PickupLetter(image=decode_base64_image(payload.letter_image) if payload.letter_image else None,
                          paper_ref=payload.letter_paper_ref, sealed=payload.letter_sealed)
    items = batch_pickup(actor=actor, batch_no=batch_no, handler=payload.handler.to_input(), letter=letter)
    return PickupOut(batch_no=batch_no, cards_handed_over=len(items), activation_due_at=items[0].activation_due_at)


@router.post("/to-individual", response={200: RequestOut, **ERRORS}, summary="批量转零星（本人到窗口即时制卡）",
             description="批量申领尚未制卡的人员到窗口即时制卡；卡面照片取自批次扫描件中已校验的照片。")
@operation("production.to_individual")
def to_individual_view(request, payload: ConvertIn):
    actor = request.auth
    req = batch_to_individual(actor=actor, applicant=payload.applicant.to_input(),
                              agent=payload.agent.to_input() if payload.agent else None,
                              evidence=payload.evidence.to_input())
    return RequestOut.of(req)


@router.get("/overdue", response={200: list[OrderOut], **ERRORS}, summary="超过10个工作日未完成的制卡批次")
@operation("production.overdue")
def overdue_orders(request, limit: int = Query(100, description="每页条数（1-500）", example=100),
                   offset: int = Query(0, description="跳过的条数（分页偏移）", example=100)):
    offset, limit = max(offset, 0), min(max(limit, 1), 500)
    return [OrderOut(order_no=o.order_no, bank=o.bank, stage=o.stage, stage_label=o.get_stage_display(),
                     due_at=o.due_at, overdue=True, items=selectors.stage_counts(o.items.all()))
            for o in selectors.orders_overdue()[offset:offset + limit]]


@router.post("/results", response={200: ImportOut, **ERRORS}, summary="导入银行或卡商回盘文件",
             description="multipart/form-data 上传；同一回盘文件重复导入时 already_imported 为 true，不重复处理。")
@operation("production.import_result")
def import_result(request,
                  kind: Annotated[str, Form(description="回盘类型：bank_result 银行回盘、vendor_result 卡商回盘",
                                            example="bank_result")],
                  file: Annotated[UploadedFile, File(description="回盘文件（CSV，不超过 256 MB）",
                                                     example="BANK_RESULT_ZK202611260000000101.csv")]):
    actor = request.auth
    if kind not in RESULT_KINDS:
        raise InvalidInput("EXCHANGE_KIND_INVALID", "回盘类型须为 bank_result 或 vendor_result")
    if file.size is not None and file.size > MAX_RESULT_BYTES:
        raise InvalidInput("EXCHANGE_FILE_TOO_LARGE", "回盘文件过大")
    outcome = order_import_result(actor=actor, content=file.read(), kind=kind)
    return ImportOut(order_no=outcome.order_no, kind=outcome.kind, already_imported=outcome.already_imported,
                     ok_rows=outcome.ok_rows, failed_rows=outcome.failed_rows)


@router.post("/exchange/run", response={200: CycleOut, **ERRORS}, summary="执行一次报盘/回盘循环")
@operation("production.exchange_run")
def exchange_run(request, simulate: bool = Query(False, description="使用模拟的银行和卡商（测试环境）", example=True)):
    actor = request.auth
    report = exchange_cycle(actor=actor, simulate=simulate or None)
    return CycleOut(orders_generated=report.orders_generated, files_sent=report.files_sent,
                    results_imported=report.results_imported,
                    results_refused=[list(x) for x in report.results_refused], orders_shipped=report.orders_shipped)
