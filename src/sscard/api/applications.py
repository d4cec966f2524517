"""Production businesses over the API: apply, reissue / replace / renew, activate, and every step of the
request (review, voucher, signed form, fee, production, post, hand-over).

Routers only: parse, check who calls, call one service, render ``RequestOut`` (no personal data).
"""

import datetime as dt
from typing import Literal

from django.http import HttpResponse
from ninja import Field, Query, Router, Schema, Status

from sscard.api.auth import CHANNEL_ACTORS, require
from sscard.api.schemas import B64, EvidenceIn, RequestOut
from sscard.desk import applications as issuance
from sscard.core import clock
from sscard.core.errors import NotFound
from sscard.desk import selectors, services
from sscard.desk.intake import DocInput, PersonData
from sscard.policy.choices import Business, CardReason, DocType

applications_router = Router(tags=["制卡业务 applications"])
requests_router = Router(tags=["业务环节 requests"])
cards_router = Router(tags=["补换卡与启用 cards"])

WINDOW_STEP = {"roles": ("clerk",)}
BACK_OFFICE = {"roles": ("supervisor", "admin")}
REVIEWERS = {"roles": ("reviewer", "supervisor")}


class PersonIn(Schema):
    doc_type: DocType
    number: str = Field(min_length=1, max_length=40)
    name: str = Field(default="", max_length=50)
    birth_date: dt.date | None = None
    gender: Literal["M", "F", ""] = ""
    ethnicity: str = Field(default="", max_length=20)
    nationality: str = Field(default="中国", max_length=40)
    phone: str = Field(default="", max_length=20)
    address: str = Field(default="", max_length=200)

    def to_data(self) -> PersonData:
        return PersonData(**{k: (v.value if isinstance(v, DocType) else v) for k, v in self.dict().items()})


class AgentIn(Schema):
    doc_type: DocType
    number: str = Field(min_length=1, max_length=40)
    name: str = Field(default="", max_length=50)
    birth_date: dt.date | None = None

    def to_data(self) -> PersonData:
        return PersonData(doc_type=self.doc_type.value, number=self.number, name=self.name,
                                   birth_date=self.birth_date)


class DocTypedIn(Schema):
    doc_type: DocType
    number: str = Field(min_length=1, max_length=40)

    def to_input(self) -> DocInput:
        return DocInput(doc_type=self.doc_type.value, number=self.number)


class DeliveryIn(Schema):
    method: Literal["post", "pickup"]
    address: str = Field(default="", max_length=200)
    pickup_outlet: str = Field(default="", max_length=32)


class ApplyIn(Schema):
    applicant: PersonIn
    agent: AgentIn | None = None
    photo: str | None = B64
    evidence: EvidenceIn = Field(default_factory=EvidenceIn)
    delivery: DeliveryIn | None = None


class ReissueIn(Schema):
    applicant: DocTypedIn
    agent: AgentIn | None = None
    reason: CardReason
    photo_changed: bool = False
    photo: str | None = B64
    evidence: EvidenceIn = Field(default_factory=EvidenceIn)


class ActivateIn(Schema):
    applicant: DocTypedIn | None = None
    agent: AgentIn | None = None
    evidence: EvidenceIn = Field(default_factory=EvidenceIn)


class ReasonIn(Schema):
    reason: str = Field(min_length=1, max_length=200)


class ApproveIn(Schema):
    note: str = Field(default="", max_length=200)


class VoucherIn(Schema):
    voucher_no: str = Field(min_length=1, max_length=24)
    evidence: EvidenceIn | None = None


class SignedFormIn(Schema):
    reference: str = Field(min_length=1, max_length=100)


class FeeIn(Schema):
    method: Literal["paid", "offset"]
    offset_reference: str = Field(default="", max_length=64)


class OriginalIn(Schema):
    party: Literal["applicant", "agent"]
    doc_type: DocType


class FinishIn(Schema):
    hand_over: bool = False
    originals_checked: list[OriginalIn] = Field(default_factory=list, max_length=4)


class HandOverIn(Schema):
    originals_checked: list[OriginalIn] = Field(max_length=4)


class DispatchIn(Schema):
    tracking_no: str = Field(min_length=1, max_length=40)


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
        from sscard.archive.services import decode_base64_image

        ev.photo = decode_base64_image(photo)
    return ev


def _out(req) -> RequestOut:
    return RequestOut.of(req)


def _originals(items) -> list[tuple[str, str]]:
    return [(i.party, i.doc_type.value) for i in items]


# ---------------------------------------------------------------- businesses


@applications_router.post("", response={201: RequestOut}, summary="社保卡申领")
def apply(request, body: ApplyIn):
    actor = require(request.auth, **CHANNEL_ACTORS)
    delivery = issuance.DeliveryChoice(**body.delivery.dict()) if body.delivery else None
    req = issuance.card_apply(actor=actor, applicant=body.applicant.to_data(),
                              agent=body.agent.to_data() if body.agent else None,
                              evidence=_evidence(body.evidence, body.photo), delivery=delivery)
    return Status(201, _out(req))


@applications_router.get("/mine", response=list[RequestOut], summary="我的业务（APP）")
def mine(request, limit: int = Query(20, ge=1, le=100), offset: int = Query(0, ge=0)):
    actor = require(request.auth, kinds=("citizen",))
    return [_out(r) for r in selectors.requests_of_citizen(actor, limit=limit, offset=offset)]


@applications_router.get("/review-queue", response=list[ReviewItemOut], summary="待审核的网上申领")
def review_queue(request):
    require(request.auth, **REVIEWERS)
    return selectors.review_queue()


def _reissue(request, business: str, body: ReissueIn):
    actor = require(request.auth, **CHANNEL_ACTORS)
    req = issuance.card_reissue(actor=actor, business=business, applicant=body.applicant.to_input(),
                                reason=body.reason.value, agent=body.agent.to_data() if body.agent else None,
                                photo_changed=body.photo_changed, evidence=_evidence(body.evidence, body.photo))
    return Status(201, _out(req))


@cards_router.post("/reissue", response={201: RequestOut}, summary="社保卡补领")
def reissue(request, body: ReissueIn):
    return _reissue(request, Business.REISSUE, body)


@cards_router.post("/replace", response={201: RequestOut}, summary="社保卡换领")
def replace(request, body: ReissueIn):
    return _reissue(request, Business.REPLACE, body)


@cards_router.post("/renew", response={201: RequestOut}, summary="社保卡换发")
def renew(request, body: ReissueIn):
    return _reissue(request, Business.RENEW, body)


@cards_router.post("/activate", response=RequestOut, summary="社保卡启用（激活）")
def activate(request, body: ActivateIn):
    actor = require(request.auth, **CHANNEL_ACTORS)
    req = issuance.card_activate(actor=actor, applicant=body.applicant.to_input() if body.applicant else None,
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
@requests_router.get("/overdue", response=list[OverdueOut], summary="超过制卡时限仍在制卡中的业务")
def overdue(request, limit: int = Query(100, ge=1, le=500), offset: int = Query(0, ge=0)):
    require(request.auth, **BACK_OFFICE)
    return selectors.overdue_production(limit=limit, offset=offset)


@requests_router.get("/{no}", response=RequestOut, summary="业务办理进度")
def request_status(request, no: str):
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


@requests_router.get("/{no}/review-detail", response=ReviewDetailOut, summary="审核：申办人完整信息与上传影像（留痕）")
def review_detail(request, no: str):
    from sscard.desk.review import review_applicant_full_view

    actor = require(request.auth, **REVIEWERS)
    return review_applicant_full_view(actor=actor, request_no=no)


@requests_router.get("/{no}/images/{item_id}", summary="审核：查看上传影像（留痕）")
def review_image(request, no: str, item_id: int):
    from django.http import HttpResponse

    from sscard.desk.review import review_image as load

    actor = require(request.auth, **REVIEWERS)
    content, content_type = load(actor=actor, request_no=no, item_id=item_id)
    return HttpResponse(content, content_type=content_type, headers={"Cache-Control": "no-store"})


@requests_router.post("/{no}/approve", response=RequestOut, summary="审核通过")
def approve(request, no: str, body: ApproveIn):
    actor = require(request.auth, **REVIEWERS)
    return _out(services.request_approve(actor=actor, request_no=no, note=body.note))


@requests_router.post("/{no}/reject", response=RequestOut, summary="审核不通过")
def reject(request, no: str, body: ReasonIn):
    actor = require(request.auth, **REVIEWERS)
    return _out(services.request_reject(actor=actor, request_no=no, reason=body.reason))


@requests_router.post("/{no}/present-voucher", response=RequestOut, summary="窗口收取自助一体机凭证")
def present_voucher(request, no: str, body: VoucherIn):
    actor = require(request.auth, **WINDOW_STEP)
    evidence = body.evidence.to_input() if body.evidence else None
    return _out(services.request_present_voucher(actor=actor, request_no=no, voucher_no=body.voucher_no,
                                                 evidence=evidence))


@requests_router.post("/{no}/signed-form", response=RequestOut, summary="登记已签字的纸质业务表单")
def signed_form(request, no: str, body: SignedFormIn):
    actor = require(request.auth, **WINDOW_STEP)
    return _out(services.request_record_signed_form(actor=actor, request_no=no, reference=body.reference))


@requests_router.post("/{no}/settle-fee", response=RequestOut, summary="费用清缴或抵扣")
def settle_fee(request, no: str, body: FeeIn):
    actor = require(request.auth, **WINDOW_STEP)
    return _out(services.request_settle_fee(actor=actor, request_no=no, method=body.method,
                                            offset_reference=body.offset_reference))


@requests_router.post("/{no}/finish-production", response=RequestOut, summary="制卡完成")
def finish_production(request, no: str, body: FinishIn):
    actor = require(request.auth, roles=("clerk", "supervisor", "admin"))
    return _out(services.request_finish_production(actor=actor, request_no=no, hand_over=body.hand_over,
                                                   originals_checked=_originals(body.originals_checked)))


@requests_router.post("/{no}/dispatch", response=RequestOut, summary="邮寄发出")
def dispatch(request, no: str, body: DispatchIn):
    actor = require(request.auth, **BACK_OFFICE)
    return _out(services.request_dispatch(actor=actor, request_no=no, tracking_no=body.tracking_no))


@requests_router.post("/{no}/hand-over", response=RequestOut, summary="网点领取发放")
def hand_over(request, no: str, body: HandOverIn):
    actor = require(request.auth, **WINDOW_STEP)
    return _out(services.request_hand_over(actor=actor, request_no=no,
                                           originals_checked=_originals(body.originals_checked)))


@requests_router.post("/{no}/deliver", response=RequestOut, summary="邮寄签收")
def deliver(request, no: str):
    actor = require(request.auth, **BACK_OFFICE)
    return _out(services.request_deliver(actor=actor, request_no=no))


@requests_router.post("/{no}/void", response=RequestOut, summary="作废业务")
def void(request, no: str, body: ReasonIn):
    actor = require(request.auth, kinds=("citizen",), roles=("clerk", "supervisor", "admin"))
    return _out(services.request_void(actor=actor, request_no=no, reason=body.reason))


def _pdf(content: bytes, name: str) -> HttpResponse:
    resp = HttpResponse(content, content_type="application/pdf")
    resp["Content-Disposition"] = f'inline; filename="{name}"'
    return resp


@requests_router.get("/{no}/form.pdf", summary="打印业务表单（供纸质签字）")
def form_pdf(request, no: str):
    from sscard.archive.pdf import render_business_form

    actor = require(request.auth, **WINDOW_STEP)
    req = selectors.request_for_actor(actor, no)
    title = f"{Business(req.business).label}业务表单"
    pdf = render_business_form(title=title, request_no=req.request_no, rows=selectors.request_form_rows(req),
                               outlet_name=req.outlet.name if req.outlet_id else "", printed_at=clock.now())
    return _pdf(pdf, f"{req.request_no}.pdf")


@requests_router.get("/{no}/voucher.pdf", summary="打印自助一体机凭证")
def voucher_pdf(request, no: str):
    from sscard.archive.pdf import render_voucher

    actor = require(request.auth, kinds=("kiosk",), roles=("clerk",))
    req = selectors.request_for_actor(actor, no, clerk_by_voucher=True)
    if not req.voucher_no:
        raise NotFound("VOUCHER_NOT_FOUND", "该业务没有自助一体机凭证")
    pdf = render_voucher(title=f"{Business(req.business).label}凭证", voucher_no=req.voucher_no,
                         rows=selectors.request_form_rows(req), outlet_name=req.outlet.name if req.outlet_id else "",
                         printed_at=clock.now())
    return _pdf(pdf, f"{req.voucher_no}.pdf")
