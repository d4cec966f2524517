"""电子社保卡 (e-card) codes: the app user's short-lived signed code and its QR, read at a window or a
kiosk to identify the holder (``cards.ecard``).  One route, one service call each."""

import datetime as dt

from ninja import Field, Router, Schema

from sscard.api.auth import operation
from sscard.api.schemas import ERRORS, StrictIn
from sscard.archive.qr import qr_svg
from sscard.cards.ecard import MAX_CODE_LENGTH, ecard_code_issue, ecard_code_verify

router = Router(tags=["电子社保卡"])


class CodeOut(Schema):
    code: str = Field(description="电子社保卡码（出示给窗口或自助一体机，只能使用一次）")
    issued_at: dt.datetime
    expires_at: dt.datetime = Field(description="失效时间，过期后须重新生成")
    card_no_masked: str
    qr_svg: str = Field(description="电子社保卡码的二维码（SVG 文档）")


class CodeIn(StrictIn):
    """An empty JSON object (``{}``): every POST takes an object body; the card is the caller's own."""


class VerifyIn(StrictIn):
    code: str = Field(max_length=MAX_CODE_LENGTH, description="扫描或输入的电子社保卡码",
                      examples=["EC1AEAAAAAAAAAAAB..."])


class HolderOut(Schema):
    person_id: int
    name_masked: str
    id_number_masked: str
    card_no_masked: str
    card_state: str


@router.post("/code", response={200: CodeOut, **ERRORS}, summary="生成电子社保卡码",
             description="请求体为空对象 {}。APP 用户本人的可用社保卡（已启用）的短时签名码及其二维码；"
                         "挂失、锁定、注销或未启用的卡不能生成。")
@operation("ecard.code_issue")
def code_issue(request, body: CodeIn):
    issued = ecard_code_issue(actor=request.auth)
    return {"code": issued.code, "issued_at": issued.issued_at, "expires_at": issued.expires_at,
            "card_no_masked": issued.card_no_masked, "qr_svg": qr_svg(issued.code)}


@router.post("/verify", response={200: HolderOut, **ERRORS}, summary="读取电子社保卡码识别持卡人",
             description="窗口或自助一体机读取：校验签名、有效期、卡状态，每个码只能使用一次（重复使用答 409 "
                         "ECARD_CODE_USED）；识别结果脱敏，查看记入访问日志。")
@operation("ecard.code_verify")
def code_verify(request, body: VerifyIn):
    return ecard_code_verify(actor=request.auth, code=body.code)
