"""Card-lifecycle businesses that take effect in one call: information change, PIN change / reset / verify,
unlock, loss report and withdrawal, status query, cancellation and rollback.

Access: only callers acting on a business channel (window clerk, kiosk, app user, hotline operator); the
channel comes from the caller.  Each endpoint calls one service; the catalogue decides what the channel
and applicant role may do.  A PIN never passes through the API: the terminal at the caller's station
reads it from the PIN pad.
"""

import datetime as dt

from ninja import Field, Router, Schema
from ninja.responses import Status

from sscard.api.auth import operation
from sscard.api.schemas import (
    ERRORS,
    EX_AGENT_ID_NUMBER,
    EX_EVIDENCE,
    DocIn,
    EvidenceIn,
    RequestOut,
    StrictIn,
    example_of,
)
from sscard.cards.selectors import card_out
from sscard.desk.info_change import person_info_change
from sscard.desk.lifecycle import (
    card_cancel,
    card_loss_report,
    card_loss_withdraw,
    card_rollback,
    card_unlock,
)
from sscard.desk.pin import pin_change as pin_change_business
from sscard.desk.pin import pin_reset as pin_reset_business
from sscard.desk.pin import pin_verify as pin_verify_business
from sscard.desk.status import card_status_query

router = Router(tags=["社保卡即办业务"])


class CardOut(Schema):
    card_no: str
    state: str
    state_label: str
    aaz502: str
    state_changed_at: dt.datetime
    temp_loss_expires_at: dt.datetime | None = None


class BusinessIn(StrictIn):
    applicant: DocIn | None = Field(None, description="申办人（持卡人）的证件；APP 用户本人办理时可省略",
                                    examples=[example_of(DocIn)])
    agent: DocIn | None = Field(None, description="代办人的证件（他人代办时填写）",
                                examples=[{"doc_type": "id_card", "number": EX_AGENT_ID_NUMBER}])
    evidence: EvidenceIn | None = Field(None, description="窗口留存的证明材料（证件影像、现场照片、签名等）",
                                        examples=[EX_EVIDENCE])


class InfoChangeIn(BusinessIn):
    changes: dict[str, str | None] = Field(default_factory=dict,
                                           description="要变更的信息：字段名 → 新值（经办目录允许变更的字段，如 phone 联系电话、"
                                                       "address 居住地址）",
                                           examples=[{"phone": "13912345678", "address": "重庆市渝北区龙溪街道8号"}])


class BusinessOut(Schema):
    request: RequestOut | None
    card: CardOut | None


class PinOut(Schema):
    ok: bool
    request: RequestOut | None = None
    card: CardOut
    remaining_attempts: int | None = None


class OpenRequestOut(Schema):
    request_no: str
    business: str
    status: str
    status_label: str
    due_at: dt.datetime | None
    due_provisional: bool
    pickup_outlet: str | None


class StatusOut(Schema):
    request: RequestOut | None
    cards: list[CardOut]
    open_requests: list[OpenRequestOut]


def _parts(body: BusinessIn) -> dict:
    return {
        "applicant": body.applicant.to_input() if body.applicant else None,
        "agent": body.agent.to_input() if body.agent else None,
        "evidence": body.evidence.to_input() if body.evidence else None,
    }


def _business_out(it) -> dict:
    return {"request": RequestOut.of(it.request) if it.request else None,
            "card": card_out(it.card) if it.card else None}


@router.post("/info-change", response={200: BusinessOut, **ERRORS}, summary="社保卡信息变更",
             description="变更联系电话、居住地址等非关键信息；姓名、证件号码等关键信息不能在此变更。")
@operation("card.info_change")
def info_change(request, body: InfoChangeIn):
    return _business_out(person_info_change(actor=request.auth, changes=body.changes, **_parts(body)))


@router.post("/loss/report", response={200: BusinessOut, **ERRORS}, summary="社保卡挂失")
@operation("card.loss_report")
def loss_report(request, body: BusinessIn):
    return _business_out(card_loss_report(actor=request.auth, **_parts(body)))


@router.post("/loss/withdraw", response={200: BusinessOut, **ERRORS}, summary="社保卡解挂")
@operation("card.loss_withdraw")
def loss_withdraw(request, body: BusinessIn):
    return _business_out(card_loss_withdraw(actor=request.auth, **_parts(body)))


@router.post("/unlock", response={200: BusinessOut, **ERRORS}, summary="社保卡解锁")
@operation("card.unlock")
def unlock(request, body: BusinessIn):
    return _business_out(card_unlock(actor=request.auth, **_parts(body)))


@router.post("/cancel", response={200: BusinessOut, **ERRORS}, summary="社保卡注销")
@operation("card.cancel")
def cancel(request, body: BusinessIn):
    return _business_out(card_cancel(actor=request.auth, **_parts(body)))


@router.post("/rollback", response={200: BusinessOut, **ERRORS}, summary="社保卡回退")
@operation("card.rollback")
def rollback(request, body: BusinessIn):
    return _business_out(card_rollback(actor=request.auth, **_parts(body)))


@router.post("/status-query", response={200: StatusOut, **ERRORS}, summary="社保卡应用状态查询",
             description="返回持卡人的卡片状态及在办业务；不需要证明材料。"
                         "查询不生成业务记录（request 恒为 null），"
                         "查询人、被查询人和所见卡片记入查询访问记录。")
@operation("card.status_query")
def status_query(request, body: BusinessIn):
    """A read: no business record (``request`` is always null), the look goes to the access log."""
    applicant = body.applicant.to_input() if body.applicant else None
    agent = body.agent.to_input() if body.agent else None
    return {"request": None, **card_status_query(actor=request.auth, applicant=applicant, agent=agent)}


def _pin_response(outcome):
    """A refused PIN attempt is a 422 rendered here (the counter / lock it wrote must commit)."""
    if outcome.error is not None:
        return Status(422, outcome.error.as_dict())
    return Status(200, {"ok": True, "request": RequestOut.of(outcome.request) if outcome.request else None,
                 "card": card_out(outcome.card), "remaining_attempts": outcome.remaining})


@router.post("/pin/change", response={200: PinOut, **ERRORS}, summary="社保卡密码修改",
             description="密码不经过接口，由调用者所在工位的密码键盘读取；原密码错误答 422（PIN_WRONG，"
                         "details.remaining_attempts 为剩余次数），达上限时锁卡。")
@operation("card.pin_change")
def pin_change(request, body: BusinessIn):
    return _pin_response(pin_change_business(actor=request.auth, **_parts(body)))


@router.post("/pin/reset", response={200: PinOut, **ERRORS}, summary="社保卡密码重置",
             description="新密码由调用者所在工位的密码键盘读取。")
@operation("card.pin_reset")
def pin_reset(request, body: BusinessIn):
    return _pin_response(pin_reset_business(actor=request.auth, **_parts(body)))


@router.post("/pin/verify", response={200: PinOut, **ERRORS}, summary="社保卡密码校验",
             description="仅限服务窗口和自助一体机：持卡人在密码键盘输入；错误计次同密码修改（422 PIN_WRONG，达上限锁卡）。")
@operation("card.pin_verify")
def pin_verify(request, body: BusinessIn):
    return _pin_response(pin_verify_business(actor=request.auth, applicant=body.applicant.to_input() if body.applicant
                                 else None))
