"""Employer batch business (批量办理): templates, submission (file or paper route), progress, rows and
the error workbook.

Submission is by a window clerk or a kiosk (the channel follows from the caller).  The file route is a
multipart upload: ``workbook`` (.xlsx), ``scans`` (.zip) and ``meta`` (JSON: business, employer, handler's
document, window evidence).  It answers 202 as soon as the files are stored (streamed, never held in
memory), with the batch number and its ``status_url``; the files' structural checks run in the task
worker, and a file they refuse shows on the status as ``failed`` with ``failure_code`` and ``failure``.  The paper route is JSON with the rows keyed in by the clerk.  Clerks and
kiosks see their own outlet's batches; supervisors and administrators see all.  The error workbook goes
only to the employer's handler at the batch's outlet (a POST with the handler's document, audited).
"""

import datetime as dt
import json
from typing import Annotated
from urllib.parse import quote

from django.http import HttpResponse
from django.utils.timezone import localtime
from ninja import Field, File, Form, Query, Router, Schema
from ninja import Path as PathParam
from ninja.files import UploadedFile
from ninja.responses import Status
from pydantic import ValidationError

from sscard.api.auth import operation
from sscard.api.parsing import loads_strict
from sscard.api.schemas import (
    ERRORS,
    EX_EVIDENCE,
    EX_HANDLER_ID_NUMBER,
    EX_ROW_ID_NUMBER,
    EX_USCC,
    BatchNo,
    DocIn,
    EvidenceIn,
    StrictIn,
    choices_text,
    file_response,
    image,
)
from sscard.archive.pdf import render_voucher
from sscard.archive.services import decode_base64_image
from sscard.batches import selectors
from sscard.batches.choices import BatchStatus, Route, RowStatus
from sscard.batches.columns import KINDS, columns
from sscard.batches.error_workbook_download import batch_error_workbook_download
from sscard.batches.fees import batch_fee_due, batch_settle_fee
from sscard.batches.services import BatchFiles, BatchSubmission, batch_submit
from sscard.batches.templates_xlsx import FILE_NAMES, XLSX_CONTENT_TYPE, build_template
from sscard.core import clock, masking
from sscard.core.errors import InvalidInput, NotFound

router = Router(tags=["单位批量办理"])

BUSINESSES = ("batch_apply", "batch_reissue")


class BatchMetaIn(StrictIn):
    business: str = Field(pattern="^(batch_apply|batch_reissue)$",
                          description="批量业务：batch_apply 批量申领、batch_reissue 批量补换卡", examples=["batch_apply"])
    employer_uscc: str = Field(min_length=1, max_length=40, description="用人单位统一社会信用代码（18 位）",
                               examples=[EX_USCC])
    handler: DocIn = Field(description="单位经办人的证件（须为该单位登记的经办人）",
                           examples=[{"doc_type": "id_card", "number": EX_HANDLER_ID_NUMBER}])
    evidence: EvidenceIn = Field(default_factory=EvidenceIn, description="窗口留存的经办人证明材料",
                                 examples=[EX_EVIDENCE])


_ROW_EXAMPLE = {"seq": "1", "name": "王芳", "doc_type": "居民身份证", "doc_number": EX_ROW_ID_NUMBER, "gender": "女",
                "ethnicity": "汉族", "birth_date": "1995-06-18", "nationality": "中国", "doc_valid_until": "长期",
                "phone": "13912345678", "address": "重庆市沙坪坝区天星桥街道沙正街174号", "service_bank": "中国工商银行"}


class PaperBatchIn(BatchMetaIn):
    rows: list[dict] = Field(min_length=1, max_length=500,
                             description="窗口录入的明细行（1-500 行），每行以明细表列名为键、单元格文字为值（与报盘模板相同的列，"
                                         "如 seq、name、doc_type、doc_number、gender、birth_date、phone、address、"
                                         "service_bank；补换卡另有 business、reason、photo_changed）",
                             examples=[[_ROW_EXAMPLE]])
    intro_letter_image: str | None = image("单位介绍信影像（与 intro_letter_ref 二选一）")
    intro_letter_ref: str = Field(default="", max_length=100, description="单位介绍信纸质原件的档案编号（无影像时填写）",
                                  examples=["渝中区2026-介绍信-0001"])


_META_EXAMPLE = json.dumps({"business": "batch_apply", "employer_uscc": EX_USCC, "evidence": EX_EVIDENCE,
                            "handler": {"doc_type": "id_card", "number": EX_HANDLER_ID_NUMBER}},
                           ensure_ascii=False)
MetaForm = Annotated[str, Form(description="批次信息（JSON 字符串）：business 批量业务（batch_apply / batch_reissue）、"
                                           "employer_uscc 统一社会信用代码、handler 经办人证件、evidence 证明材料",
                               example=_META_EXAMPLE)]
WorkbookFile = Annotated[UploadedFile, File(description="制卡明细表或补换卡明细表（.xlsx，按下载的模板填写）",
                                            example="制卡明细表.xlsx")]
ScansFile = Annotated[UploadedFile, File(description="扫描件压缩包（.zip）：照片、证件影像以证件号码命名",
                                         example="扫描件.zip")]


class BatchOut(Schema):
    batch_no: str
    business: str
    route: str
    channel: str
    status: str
    status_label: str
    employer_uscc: str
    employer_name: str
    handler_name: str  # masked
    outlet: str
    total_rows: int
    processed_rows: int
    accepted_rows: int
    refused_rows: int
    progress_percent: int
    failure: str
    failure_code: str
    status_url: str
    voucher_no: str
    submitted_at: dt.datetime
    validated_at: dt.datetime | None
    due_at: dt.datetime | None
    due_provisional: bool
    error_workbook: str | None

    @staticmethod
    def of(b) -> "BatchOut":
        pct = 100 if b.status == BatchStatus.VALIDATED else (b.processed_rows * 100 // b.total_rows if b.total_rows else 0)
        errors = (f"/api/v1/batches/{b.batch_no}/errors.xlsx"
                  if b.status == BatchStatus.VALIDATED and b.refused_rows else None)
        return BatchOut(batch_no=b.batch_no, business=b.business, route=b.route, channel=b.channel, status=b.status,
                        status_label=BatchStatus(b.status).label, employer_uscc=b.employer.uscc,
                        employer_name=b.employer.name, handler_name=masking.mask_name(b.handler.person.name),
                        outlet=b.outlet.code, total_rows=b.total_rows, processed_rows=b.processed_rows,
                        accepted_rows=b.accepted_rows, refused_rows=b.refused_rows, progress_percent=min(pct, 100),
                        failure=b.failure, failure_code=b.failure_code,
                        status_url=f"/api/v1/batches/{b.batch_no}", voucher_no=b.voucher_no,
                        submitted_at=b.submitted_at,
                        validated_at=b.validated_at, due_at=b.due_at, due_provisional=b.due_provisional,
                        error_workbook=errors)


class RowOut(Schema):
    line_no: int
    seq: str
    status: str
    name: str  # masked
    id_number: str  # masked
    reason: str
    request_no: str | None
    request_status: str | None


def _parse_meta(raw: str) -> BatchMetaIn:
    try:
        data = loads_strict(raw)  # the API's strict JSON, as for a body
    except InvalidInput as exc:
        if exc.code != "JSON_INVALID":
            raise  # a duplicate key or a bad character keeps its own code
        raise InvalidInput("META_INVALID", "meta 字段不是合法的 JSON") from None
    try:
        return BatchMetaIn.model_validate(data)
    except ValidationError as exc:
        first = exc.errors()[0]
        where = ".".join(str(x) for x in first.get("loc", ()))
        raise InvalidInput("META_INVALID", f"meta 字段格式不正确（{where}）") from None


@router.get("/templates/{kind}.xlsx", response={200: None, **ERRORS}, summary="下载批量报盘模板（制卡明细表 / 补换卡明细表）",
            openapi_extra=file_response("批量报盘模板（.xlsx）", XLSX_CONTENT_TYPE))
@operation("batch.template_download")
def template_download(request, kind: Annotated[str, PathParam(
        description="模板种类：new_card 制卡明细表、reissue 补换卡明细表", example="new_card")]):
    if kind not in KINDS:
        raise NotFound("TEMPLATE_NOT_FOUND", "没有这种批量模板", rule="batch_templates")
    return _xlsx(build_template(kind), f"{kind}.xlsx", FILE_NAMES[kind])


def _xlsx(content: bytes, ascii_name: str, name: str) -> HttpResponse:
    resp = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    resp["Content-Disposition"] = f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name)}"
    resp["Cache-Control"] = "no-store"
    return resp


@router.post("", response={202: BatchOut, **ERRORS}, summary="提交批量报盘文件（制卡明细表 + 扫描件压缩包）",
             description="multipart/form-data 上传。文件存妥即返回 202（批次号与 status_url）；文件结构检查（表头、"
                         "压缩包目录、文件名、大小等）与逐行校验在后台进行，用 status_url 查询进度与结果：文件被拒收时"
                         "批次状态为 failed，failure_code / failure 给出错误代码与原因。")
@operation("batch.submit")
def batch_submit_file(request, meta: MetaForm, workbook: WorkbookFile, scans: ScansFile):
    actor = request.auth
    m = _parse_meta(meta)
    files = BatchFiles(workbook=workbook, scans=scans)  # uploads, streamed to storage in chunks
    batch = batch_submit(actor=actor, submission=BatchSubmission(
        business=m.business, employer_uscc=m.employer_uscc, handler=m.handler.to_input(), route=Route.FILE,
        files=files, evidence=m.evidence.to_input()))
    return Status(202, BatchOut.of(batch))


@router.post("/paper", response={202: BatchOut, **ERRORS}, summary="纸质材料批量办理（窗口录入明细）")
@operation("batch.submit")
def batch_submit_paper(request, payload: PaperBatchIn):
    actor = request.auth
    letter = decode_base64_image(payload.intro_letter_image) if payload.intro_letter_image else None
    batch = batch_submit(actor=actor, submission=BatchSubmission(
        business=payload.business, employer_uscc=payload.employer_uscc, handler=payload.handler.to_input(),
        route=Route.PAPER, keyed_rows=payload.rows, evidence=payload.evidence.to_input(),
        intro_letter_image=letter, intro_letter_ref=payload.intro_letter_ref))
    return Status(202, BatchOut.of(batch))


@router.get("/{batch_no}", response={200: BatchOut, **ERRORS}, summary="查询批次校验进度与结果")
@operation("batch.view")
def batch_detail(request, batch_no: BatchNo):
    actor = request.auth
    return BatchOut.of(selectors.batch_for(actor, batch_no))


@router.get("/{batch_no}/rows", response={200: list[RowOut], **ERRORS}, summary="批次明细行（脱敏）")
@operation("batch.view")
def batch_rows(request, batch_no: BatchNo,
               status: RowStatus | None = Query(None, description="只看此状态的行：" + choices_text(RowStatus),
                                                example="refused"),
               offset: int = Query(0, description="跳过的行数（分页偏移）", example=100),
               limit: int = Query(100, description="每页行数（1-500）", example=100)):
    actor = request.auth
    batch = selectors.batch_for(actor, batch_no)
    offset, limit = max(offset, 0), min(max(limit, 1), 500)
    keys = [c.key for c in columns(batch.kind)]
    out = []
    for row in selectors.rows_of(batch, status=status)[offset:offset + limit]:
        values = dict(zip(keys, selectors.row_values(row)))
        req = row.request
        out.append(RowOut(line_no=row.line_no, seq=row.seq, status=row.status,
                          name=masking.mask_name(values.get("name", "")),
                          id_number=masking.mask_id_number(values.get("doc_number", "")),
                          reason=row.reason, request_no=req.request_no if req else None,
                          request_status=req.status if req else None))
    return out


class ErrorWorkbookIn(Schema):
    handler: DocIn = Field(description="领取错误回执的单位经办人所出示的证件（须为该批次所属单位登记的有效经办人）",
                           examples=[{"doc_type": "id_card", "number": EX_HANDLER_ID_NUMBER}])


@router.post("/{batch_no}/errors.xlsx", response={200: None, **ERRORS},
             summary="下载错误回执（未通过的行及原因，交提交该批次的单位经办人）",
             description="只在受理该批次的服务窗口或自助一体机办理，经办人出示证件后下载；每次下载记入审计日志。"
                         "回执列出原表行号、序号、脱敏的姓名与证件号码和退回原因，不重复联系电话、地址等信息。",
             openapi_extra=file_response("错误回执（.xlsx：行号、序号、姓名与证件号码（脱敏）、退回原因）",
                                         XLSX_CONTENT_TYPE))
@operation("batch.error_workbook_download")
def batch_errors(request, batch_no: BatchNo, payload: ErrorWorkbookIn):
    actor = request.auth
    batch = selectors.batch_for(actor, batch_no)
    if batch.status != BatchStatus.VALIDATED:
        raise NotFound("ERRORS_NOT_READY", "批次尚未校验完成，暂无错误回执")
    out = batch_error_workbook_download(actor=actor, batch_no=batch_no, handler=payload.handler.to_input())
    return _xlsx(out.content, f"{batch_no}-errors.xlsx", f"错误回执-{batch_no}.xlsx")


class BatchFeeIn(StrictIn):
    method: str = Field(pattern="^(paid|offset)$", description="结清方式：paid 已缴费、offset 凭证抵扣", examples=["paid"])
    offset_reference: str = Field(default="", max_length=40, description="抵扣凭证号（method 为 offset 时必填）",
                                  examples=["DK2026112600000001"])


class FeeOut(Schema):
    rows: int
    amount_fen: int
    receipt_no: str


@router.get("/{batch_no}/fee", response={200: FeeOut, **ERRORS}, summary="批量补换卡应缴费用")
@operation("batch.view")
def batch_fee(request, batch_no: BatchNo):
    actor = request.auth
    due = batch_fee_due(selectors.batch_for(actor, batch_no))
    return FeeOut(rows=due.rows, amount_fen=due.amount_fen, receipt_no="")


@router.post("/{batch_no}/settle-fee", response={200: FeeOut, **ERRORS}, summary="批量补换卡缴费或抵扣（按单位一次结清）")
@operation("batch.settle_fee")
def batch_settle_fee_view(request, batch_no: BatchNo, payload: BatchFeeIn):
    actor = request.auth
    selectors.batch_for(actor, batch_no)
    paid = batch_settle_fee(actor=actor, batch_no=batch_no, method=payload.method,
                            offset_reference=payload.offset_reference)
    return FeeOut(rows=paid.rows, amount_fen=paid.amount_fen, receipt_no=paid.receipt_no)


@router.get("/{batch_no}/voucher.pdf", response={200: None, **ERRORS}, summary="打印批量业务办理凭证（领卡时出示）",
            openapi_extra=file_response("批量业务办理凭证 PDF", "application/pdf"))
@operation("batch.voucher_pdf")
def batch_voucher(request, batch_no: BatchNo):
    actor = request.auth
    batch = selectors.batch_for(actor, batch_no)
    if not batch.voucher_no:
        raise NotFound("VOUCHER_NOT_FOUND", "该批次没有自助一体机凭证（窗口办理的批次不出具凭证）")
    rows = [("批次号", batch.batch_no), ("单位名称", batch.employer.name), ("统一社会信用代码", batch.employer.uscc),
            ("经办人", masking.mask_name(batch.handler.person.name)), ("明细行数", str(batch.total_rows)),
            ("领卡网点", batch.outlet.name),
            ("制卡时限", "自提交之日起10个工作日" + (f"（{localtime(batch.due_at):%Y-%m-%d}前）" if batch.due_at else ""))]
    pdf = render_voucher(title="社保卡批量办理凭证", voucher_no=batch.voucher_no, rows=rows,
                         outlet_name=batch.outlet.name, printed_at=clock.now())
    resp = HttpResponse(pdf, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{batch.voucher_no}.pdf"'
    resp["Cache-Control"] = "no-store"
    return resp
