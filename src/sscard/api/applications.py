"""Production businesses over the API: apply, reissue / replace / renew, activate, and every step of the
request (review, voucher, signed form, fee, production, post, hand-over).

Routers only: parse, check who calls, call one service, render ``RequestOut`` (no personal data).
"""

import datetime as dt
from typing import Annotated, Literal

from django.http import HttpResponse
from ninja import Field, Path, Query, Router, Schema, Status

from sscard.api.auth import operation
from sscard.api.schemas import (
    ERRORS,
    EX_AGENT_ID_NUMBER,
    EX_EVIDENCE,
    EX_ID_NUMBER,
    EX_REQUEST_NO,
    EX_VOUCHER_NO,
    EvidenceIn,
    RequestOut,
    StrictIn,
    choices_text,
    example_of,
    file_response,
    image,
)
from sscard.archive.pdf import render_business_form, render_voucher
from sscard.archive.services import decode_base64_image
from sscard.core import clock
from sscard.core.errors import NotFound
from sscard.desk import applications, selectors, services
from sscard.desk.intake import DocInput, PersonData
from sscard.desk.review import review_applicant_full_view
from sscard.desk.review import review_image as review_image_load
from sscard.policy.choices import Business, CardReason, DocType

applications_router = Router(tags=["制卡业务"])
requests_router = Router(tags=["业务环节"])
cards_router = Router(tags=["补换卡与启用"])

RequestNo = Annotated[str, Path(description="业务流水号", example=EX_REQUEST_NO)]


class PersonIn(StrictIn):
    doc_type: DocType = Field(description="申办人证件类型：" + choices_text(DocType), examples=["id_card"])
    number: str = Field(min_length=1, max_length=40, description="申办人证件号码（居民身份证 18 位，末位校验码 X 大写）",
                        examples=[EX_ID_NUMBER])
    name: str = Field(default="", max_length=50, description="姓名，与证件一致", examples=["张三"])
    birth_date: dt.date | None = Field(None, description="出生日期（YYYY-MM-DD）；居民身份证可省略，由号码得出",
                                       examples=["1990-03-07"])
    gender: Literal["M", "F", ""] = Field("", description="性别：M 男、F 女；居民身份证可省略，由号码得出",
                                          examples=["M"])
    ethnicity: str = Field(default="", max_length=20, description="民族（中国国籍填写）", examples=["汉族"])
    nationality: str = Field(default="中国", max_length=40, description="国籍", examples=["中国"])
    phone: str = Field(default="", max_length=20, description="联系电话（手机号码或带区号的固定电话）",
                       examples=["13912345678"])
    address: str = Field(default="", max_length=200, description="居住地址", examples=["重庆市渝中区解放碑街道民族路88号"])

    def to_data(self) -> PersonData:
        return PersonData(**{k: (v.value if isinstance(v, DocType) else v) for k, v in self.dict().items()})


class AgentIn(StrictIn):
    doc_type: DocType = Field(description="代办人证件类型：" + choices_text(DocType), examples=["id_card"])
    number: str = Field(min_length=1, max_length=40, description="代办人证件号码", examples=[EX_AGENT_ID_NUMBER])
    name: str = Field(default="", max_length=50, description="代办人姓名", examples=["李梅"])
    birth_date: dt.date | None = Field(None, description="代办人出生日期（YYYY-MM-DD）；居民身份证可省略",
                                       examples=["1985-06-15"])

    def to_data(self) -> PersonData:
        return PersonData(doc_type=self.doc_type.value, number=self.number, name=self.name,
                                   birth_date=self.birth_date)


class DocTypedIn(StrictIn):
    doc_type: DocType = Field(description="证件类型：" + choices_text(DocType), examples=["id_card"])
    number: str = Field(min_length=1, max_length=40, description="证件号码；证件类型为 ss_card 时填社会保障卡卡号",
                        examples=[EX_ID_NUMBER])

    def to_input(self) -> DocInput:
        return DocInput(doc_type=self.doc_type.value, number=self.number)


class DeliveryIn(StrictIn):
    method: Literal["post", "pickup"] = Field(description="领卡方式：post 邮寄到家、pickup 网点自取", examples=["post"])
    address: str = Field(default="", max_length=200, description="邮寄地址（method 为 post 时必填）",
                         examples=["重庆市渝北区龙溪街道8号"])
    pickup_outlet: str = Field(default="", max_length=32, description="自取网点编码（method 为 pickup 时必填）",
                               examples=["CQ-YZ-001"])


_AGENT = Field(None, description="代办人（他人代办时填写；未成年人由监护人代办）", examples=[example_of(AgentIn)])
_EVIDENCE = Field(default_factory=EvidenceIn, description="留存的证明材料（证件影像、现场照片、签名、纸质档案编号或 APP "
                                                          "上传材料）；社保卡照片不在此提交", examples=[EX_EVIDENCE])


class ApplyIn(StrictIn):
    applicant: PersonIn = Field(description="申办人（持卡人）信息", examples=[example_of(PersonIn)])
    agent: AgentIn | None = _AGENT
    photo: str | None = image("社保卡照片（1 寸白底免冠登记照，印在卡面上；经办目录要求时必填；须符合照片规则："
                              "358×441 像素 JPEG、白色背景、仅本人一张正面人脸且居中，不符合时一并列出每项问题）")
    evidence: EvidenceIn = _EVIDENCE
    delivery: DeliveryIn | None = Field(None, description="领卡方式（APP 网上申办时填写）",
                                        examples=[{"method": "post", "address": "重庆市渝北区龙溪街道8号"}])


class ReissueIn(StrictIn):
    applicant: DocTypedIn = Field(description="持卡人证件（或社会保障卡卡号）", examples=[example_of(DocTypedIn)])
    agent: AgentIn | None = _AGENT
    reason: CardReason = Field(description="补换原因：" + choices_text(CardReason), examples=["lost"])
    photo_changed: bool = Field(False, description="是否更换照片；为 true 时须提供 photo", examples=[True])
    photo: str | None = image("新的社保卡照片（1 寸白底免冠登记照；更换照片时必填，不提供时沿用已存档照片；"
                              "须符合照片规则：358×441 像素 JPEG、白色背景、仅本人一张正面人脸且居中）")
    evidence: EvidenceIn = _EVIDENCE


class ActivateIn(StrictIn):
    applicant: DocTypedIn | None = Field(None, description="持卡人证件（或社会保障卡卡号）；APP 用户本人办理时可省略",
                                         examples=[example_of(DocTypedIn)])
    agent: AgentIn | None = _AGENT
    evidence: EvidenceIn = _EVIDENCE


class ReasonIn(StrictIn):
    reason: str = Field(min_length=1, max_length=200, description="原因说明", examples=["上传的身份证影像不清晰，请重新申办"])


class ApproveIn(StrictIn):
    note: str = Field(default="", max_length=200, description="审核意见（可空）", examples=["材料齐全，同意制卡"])


class VoucherIn(StrictIn):
    voucher_no: str = Field(min_length=1, max_length=24, description="自助一体机凭证号", examples=[EX_VOUCHER_NO])
    evidence: EvidenceIn | None = Field(None, description="窗口留存的证明材料（证件影像、现场照片、签名等）",
                                        examples=[EX_EVIDENCE])


class SignedFormIn(StrictIn):
    reference: str = Field(min_length=1, max_length=100, description="已签字纸质业务表单的档案编号",
                           examples=["渝中区2026-档-000123"])


class FeeIn(StrictIn):
    method: Literal["paid", "offset"] = Field(description="结清方式：paid 已缴费、offset 凭证抵扣", examples=["paid"])
    offset_reference: str = Field(default="", max_length=64, description="抵扣凭证号（method 为 offset 时必填）",
                                  examples=["DK2026112600000001"])


class OriginalIn(StrictIn):
    party: Literal["applicant", "agent"] = Field(description="证件所属：applicant 申办人、agent 代办人",
                                                 examples=["applicant"])
    doc_type: DocType = Field(description="已核验原件的证件类型：" + choices_text(DocType), examples=["id_card"])


class FinishIn(StrictIn):
    hand_over: bool = Field(False, description="制卡完成后是否当场发放给申办人", examples=[True])
    originals_checked: list[OriginalIn] = Field(default_factory=list, max_length=4,
                                                description="当场发放时已核验的证件原件（hand_over 为 true 时填写）",
                                                examples=[[example_of(OriginalIn)]])


class HandOverIn(StrictIn):
    originals_checked: list[OriginalIn] = Field(max_length=4, description="领卡时已核验的证件原件（申办人及代办人）",
                                                examples=[[example_of(OriginalIn),
                                                           {"party": "agent", "doc_type": "id_card"}]])


class DispatchIn(StrictIn):
    tracking_no: str = Field(min_length=1, max_length=40, description="邮件运单号", examples=["EMS123456789CN"])


class ReviewItemOut(Schema):
    request_no: str
    business: str
    applicant_role: str
    applicant_name: str
    applicant_id_number: str
    birth_year: int
    agent_name: str
    documents: dict
    uploaded_documents: int
    has_photo: bool
    delivery: str
    created_at: dt.datetime


def _evidence(body_evidence: EvidenceIn, photo: str | None):
    ev = body_evidence.to_input()
    if photo:
        ev.photo = decode_base64_image(photo)
    return ev


def _out(req) -> RequestOut:
    return RequestOut.of(req)


def _originals(items) -> list[tuple[str, str]]:
    return [(i.party, i.doc_type.value) for i in items]


# ---------------------------------------------------------------- businesses


@applications_router.post("", response={201: RequestOut, **ERRORS}, summary="社保卡申领",
                          description="窗口、自助一体机、APP 申领社保卡；经办目录决定渠道和申办人身份所需的材料与照片。")
@operation("card.apply")
def apply(request, body: ApplyIn):
    actor = request.auth
    delivery = applications.DeliveryChoice(**body.delivery.dict()) if body.delivery else None
    req = applications.card_apply(actor=actor, applicant=body.applicant.to_data(),
                              agent=body.agent.to_data() if body.agent else None,
                              evidence=_evidence(body.evidence, body.photo), delivery=delivery)
    return Status(201, _out(req))


@applications_router.get("/mine", response={200: list[RequestOut], **ERRORS}, summary="我的业务（APP）",
                         description="APP 用户本人办理或作为申办人的业务，最新的在前。")
@operation("request.mine")
def mine(request, limit: int = Query(20, ge=1, le=100, description="每页条数（1-100）", example=20),
         offset: int = Query(0, ge=0, description="跳过的条数（分页偏移）", example=20)):
    actor = request.auth
    return [_out(r) for r in selectors.requests_of_citizen(actor, limit=limit, offset=offset)]


@applications_router.get("/review-queue", response={200: list[ReviewItemOut], **ERRORS}, summary="待审核的网上申领")
@operation("request.review_queue")
def review_queue(request):
    return selectors.review_queue()


def _reissue(request, business: str, body: ReissueIn):
    actor = request.auth
    req = applications.card_reissue(actor=actor, business=business, applicant=body.applicant.to_input(),
                                reason=body.reason.value, agent=body.agent.to_data() if body.agent else None,
                                photo_changed=body.photo_changed, evidence=_evidence(body.evidence, body.photo))
    return Status(201, _out(req))


@cards_router.post("/reissue", response={201: RequestOut, **ERRORS}, summary="社保卡补领")
@operation("card.reissue")
def reissue(request, body: ReissueIn):
    return _reissue(request, Business.REISSUE, body)


@cards_router.post("/replace", response={201: RequestOut, **ERRORS}, summary="社保卡换领")
@operation("card.replace")
def replace(request, body: ReissueIn):
    return _reissue(request, Business.REPLACE, body)


@cards_router.post("/renew", response={201: RequestOut, **ERRORS}, summary="社保卡换发")
@operation("card.renew")
def renew(request, body: ReissueIn):
    return _reissue(request, Business.RENEW, body)


@cards_router.post("/activate", response={200: RequestOut, **ERRORS}, summary="社保卡启用（激活）")
@operation("card.activate")
def activate(request, body: ActivateIn):
    actor = request.auth
    req = applications.card_activate(actor=actor, applicant=body.applicant.to_input() if body.applicant else None,
                                 agent=body.agent.to_data() if body.agent else None,
                                 evidence=body.evidence.to_input())
    return _out(req)


# ---------------------------------------------------------------- steps


class OverdueOut(Schema):
    request_no: str
    business: str
    channel: str
    production_mode: str
    applicant_name: str
    outlet: str | None
    pickup_outlet: str | None
    due_at: dt.datetime
    due_provisional: bool
    hours_overdue: float


# Declared before "/{no}" so that "overdue" is not taken for a request number.
@requests_router.get("/overdue", response={200: list[OverdueOut], **ERRORS}, summary="超过制卡时限仍在制卡中的业务")
@operation("request.overdue")
def overdue(request, limit: int = Query(100, ge=1, le=500, description="每页条数（1-500）", example=100),
            offset: int = Query(0, ge=0, description="跳过的条数（分页偏移）", example=100)):
    return selectors.overdue_production(limit=limit, offset=offset)


@requests_router.get("/{no}", response={200: RequestOut, **ERRORS}, summary="业务办理进度")
@operation("request.view")
def request_status(request, no: RequestNo):
    return _out(selectors.request_for_actor(request.auth, no))


class PersonFullOut(Schema):
    name: str
    id_type: str
    id_number: str
    birth_date: dt.date
    gender: str
    phone: str
    address: str


class ImageRefOut(Schema):
    id: int
    kind: str
    content_type: str
    width: int | None = None
    height: int | None = None
    sha256: str


class ReviewDetailOut(Schema):
    applicant: PersonFullOut
    agent: PersonFullOut | None = None
    images: list[ImageRefOut]


@requests_router.get("/{no}/review-detail", response={200: ReviewDetailOut, **ERRORS},
                     summary="审核：申办人完整信息与上传影像（留痕）")
@operation("request.review_detail")
def review_detail(request, no: RequestNo):
    actor = request.auth
    return review_applicant_full_view(actor=actor, request_no=no)


@requests_router.get("/{no}/images/{item_id}", response={200: None, **ERRORS}, summary="审核：查看上传影像（留痕）",
                     openapi_extra=file_response("影像文件（JPEG 或 PNG）", "image/jpeg", "image/png"))
@operation("request.review_image")
def review_image(request, no: RequestNo,
                 item_id: int = Path(..., description="影像编号（审核详情 images[].id）", example=1)):
    actor = request.auth
    content, content_type = review_image_load(actor=actor, request_no=no, item_id=item_id)
    return HttpResponse(content, content_type=content_type, headers={"Cache-Control": "no-store"})


@requests_router.post("/{no}/approve", response={200: RequestOut, **ERRORS}, summary="审核通过")
@operation("request.approve")
def approve(request, no: RequestNo, body: ApproveIn):
    actor = request.auth
    return _out(services.request_approve(actor=actor, request_no=no, note=body.note))


@requests_router.post("/{no}/reject", response={200: RequestOut, **ERRORS}, summary="审核不通过")
@operation("request.reject")
def reject(request, no: RequestNo, body: ReasonIn):
    actor = request.auth
    return _out(services.request_reject(actor=actor, request_no=no, reason=body.reason))


@requests_router.post("/{no}/present-voucher", response={200: RequestOut, **ERRORS}, summary="窗口收取自助一体机凭证")
@operation("request.present_voucher")
def present_voucher(request, no: RequestNo, body: VoucherIn):
    actor = request.auth
    evidence = body.evidence.to_input() if body.evidence else None
    return _out(services.request_present_voucher(actor=actor, request_no=no, voucher_no=body.voucher_no,
                                                 evidence=evidence))


@requests_router.post("/{no}/signed-form", response={200: RequestOut, **ERRORS}, summary="登记已签字的纸质业务表单")
@operation("request.record_signed_form")
def signed_form(request, no: RequestNo, body: SignedFormIn):
    actor = request.auth
    return _out(services.request_record_signed_form(actor=actor, request_no=no, reference=body.reference))


@requests_router.post("/{no}/settle-fee", response={200: RequestOut, **ERRORS}, summary="费用清缴或抵扣")
@operation("request.settle_fee")
def settle_fee(request, no: RequestNo, body: FeeIn):
    actor = request.auth
    return _out(services.request_settle_fee(actor=actor, request_no=no, method=body.method,
                                            offset_reference=body.offset_reference))


@requests_router.post("/{no}/finish-production", response={200: RequestOut, **ERRORS}, summary="制卡完成")
@operation("request.finish_production")
def finish_production(request, no: RequestNo, body: FinishIn):
    actor = request.auth
    return _out(services.request_finish_production(actor=actor, request_no=no, hand_over=body.hand_over,
                                                   originals_checked=_originals(body.originals_checked)))


@requests_router.post("/{no}/dispatch", response={200: RequestOut, **ERRORS}, summary="邮寄发出")
@operation("request.dispatch")
def dispatch(request, no: RequestNo, body: DispatchIn):
    actor = request.auth
    return _out(services.request_dispatch(actor=actor, request_no=no, tracking_no=body.tracking_no))


@requests_router.post("/{no}/hand-over", response={200: RequestOut, **ERRORS}, summary="网点领取发放")
@operation("request.hand_over")
def hand_over(request, no: RequestNo, body: HandOverIn):
    actor = request.auth
    return _out(services.request_hand_over(actor=actor, request_no=no,
                                           originals_checked=_originals(body.originals_checked)))


@requests_router.post("/{no}/deliver", response={200: RequestOut, **ERRORS}, summary="邮寄签收")
@operation("request.deliver")
def deliver(request, no: RequestNo):
    actor = request.auth
    return _out(services.request_deliver(actor=actor, request_no=no))


@requests_router.post("/{no}/void", response={200: RequestOut, **ERRORS}, summary="作废业务")
@operation("request.void")
def void(request, no: RequestNo, body: ReasonIn):
    actor = request.auth
    return _out(services.request_void(actor=actor, request_no=no, reason=body.reason))


def _pdf(content: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(content, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


@requests_router.get("/{no}/form.pdf", response={200: None, **ERRORS}, summary="打印业务表单（供纸质签字）",
                     openapi_extra=file_response("业务表单 PDF", "application/pdf"))
@operation("request.form_pdf")
def form_pdf(request, no: RequestNo):
    actor = request.auth
    req = selectors.request_for_actor(actor, no)
    title = f"{Business(req.business).label}业务表单"
    pdf = render_business_form(title=title, request_no=req.request_no, rows=selectors.request_form_rows(req),
                               outlet_name=req.outlet.name if req.outlet_id else "", printed_at=clock.now())
    return _pdf(pdf, f"{req.request_no}.pdf")


@requests_router.get("/{no}/voucher.pdf", response={200: None, **ERRORS}, summary="打印自助一体机凭证",
                     openapi_extra=file_response("凭证 PDF", "application/pdf"))
@operation("request.voucher_pdf")
def voucher_pdf(request, no: RequestNo):
    actor = request.auth
    req = selectors.request_for_actor(actor, no, clerk_by_voucher=True)
    if not req.voucher_no:
        raise NotFound("VOUCHER_NOT_FOUND", "该业务没有自助一体机凭证")
    pdf = render_voucher(title=f"{Business(req.business).label}凭证", voucher_no=req.voucher_no,
                         rows=selectors.request_form_rows(req), outlet_name=req.outlet.name if req.outlet_id else "",
                         printed_at=clock.now())
    return _pdf(pdf, f"{req.voucher_no}.pdf")
