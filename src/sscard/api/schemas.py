"""Input and output shapes shared by the routers.  Images travel as base64 (or data: URLs).

Also the documentation shared by every route: the error responses (``ERRORS``), the image fields and
the fictitious examples (ID numbers with valid GB 11643 check digits).
"""

import datetime as dt
from typing import Annotated

from ninja import Field, Path, Schema
from pydantic import ConfigDict, model_validator
from pydantic_core import PydanticCustomError

from sscard.archive.services import decode_base64_image as dec
from sscard.desk.choices import ProductionMode, RequestStatus
from sscard.desk.intake import DocInput, EvidenceInput
from sscard.people.idnumbers import check_digit
from sscard.policy.choices import DocType
from sscard.production.choices import ItemStage
from sscard.production.models import ProductionItem


def _id(first17: str) -> str:
    return first17 + check_digit(first17)


# Fictitious examples for the documentation (no real person; the ID numbers pass the GB 11643 check).
EX_ID_NUMBER = _id("50010319900307123")  # 渝中区，1990-03-07，男
EX_AGENT_ID_NUMBER = _id("50011219850615242")  # 渝北区，1985-06-15，女
EX_HANDLER_ID_NUMBER = _id("50010319880920451")  # 渝中区，1988-09-20，男
EX_ROW_ID_NUMBER = _id("50010619950618002")  # 沙坪坝区，1995-06-18，女（批量明细行）
EX_CARD_NO = "A12345678"
EX_REQUEST_NO = "YW2026112600000001"
EX_VOUCHER_NO = "PZ2026112600000001"
EX_BATCH_NO = "PL2026112600000001"
EX_ORDER_NO = "ZK202611260000000101"
EX_USCC = "91500103MA60B8K234"
EX_IMAGE = "data:image/jpeg;base64,/9j/4AAQ..."
EX_EVIDENCE = {"credential_images": [EX_IMAGE], "scene_image": EX_IMAGE, "signature_image": EX_IMAGE}
IMAGE_NOTE = "JPEG 或 PNG 图片的 base64 编码，或 data:image/jpeg;base64,… / data:image/png;base64,… 形式的 data URL"


# Path parameters shared by several routers.
BatchNo = Annotated[str, Path(description="批次号", example=EX_BATCH_NO)]


def choices_text(choices) -> str:
    """``value 标签`` pairs of a TextChoices class, for a field description."""
    return "、".join(f"{value}（{label}）" for value, label in choices.choices)


def image(description: str):
    """An optional base64 image field, documented."""
    return Field(default=None, max_length=8_000_000, description=f"{description}：{IMAGE_NOTE}",
                 examples=[EX_IMAGE])


def example_of(model) -> dict:
    """An example object of ``model`` from the first example of each of its fields."""
    return {name: f.examples[0] for name, f in model.model_fields.items() if f.examples}


class StrictIn(Schema):
    """A request body, or an object inside one: a JSON object with only the fields declared.

    Ninja's ``Schema`` reads its input by attribute (``from_attributes``, for models going out), so any
    value (a list, ``null``) passed for an input with optional fields only; an input refuses everything but
    an object, and a field it does not know (``extra="forbid"``, ``additionalProperties: false`` in the
    document).  Strings with NUL or lone surrogates never get here: ``api.parsing`` refuses them first.
    """

    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="wrap")
    @classmethod
    def _run_root_validator(cls, values, handler, info):  # replaces ninja's (same name): no DjangoGetter
        if not isinstance(values, (dict, cls)):
            raise PydanticCustomError("object_required", "须为 JSON 对象（{...}）")
        return handler(values)


class ErrorOut(Schema):
    """Every refusal: a stable code, a Chinese message, the rule cited and details."""

    code: str = Field(description="稳定的错误代码（大写下划线），如 INPUT_INVALID、ACCESS_DENIED",
                      examples=["MATERIAL_PHOTO_MISSING"])
    message: str = Field(description="中文错误说明（不含明文个人信息）", examples=["缺少1寸白底免冠登记照"])
    rule: str = Field("", description="所依据的经办规则（经办目录条目及版本），无则为空",
                      examples=["规程·社保卡申领·个人办理（目录版本 2026.11-1）"])
    details: dict = Field({}, description="补充信息，如输入错误的字段列表 fields", examples=[{}])


# The error responses every route documents (merge with the route's success response).
ERRORS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 422: ErrorOut}
ERROR_DESCRIPTIONS = {
    400: "请求数据不正确（INPUT_INVALID：字段缺失或格式错误，details.fields 列出字段；或各业务的输入错误代码）",
    401: "未登录、凭据无效或已过期（NOT_AUTHENTICATED），登录失败（SIGN_IN_FAILED）",
    403: "当前调用者无权办理此业务（ACCESS_DENIED 等）",
    404: "业务、卡、批次、单位等对象不存在或对调用者不可见（NOT_FOUND 等）",
    409: "对象当前状态不允许此操作，或重复提交",
    422: "经办规则不允许：渠道、申办人身份或材料不符合经办目录（code 说明原因，rule 引用目录条目）",
}


def file_response(description: str, *media_types: str) -> dict:
    """``openapi_extra`` of a route that answers a file (PDF, workbook, image) instead of JSON."""
    binary = {"schema": {"type": "string", "format": "binary"}}
    return {"responses": {200: {"description": description, "content": {m: binary for m in media_types}}}}


class DocIn(StrictIn):
    """A presented document: its type (DocType) and number (for ss_card, the card number)."""

    doc_type: DocType = Field(description="证件类型：" + choices_text(DocType), examples=["id_card"])
    number: str = Field(min_length=1, max_length=40,
                        description="证件号码（居民身份证 18 位，末位校验码 X 大写）；证件类型为 ss_card 时填社会保障卡卡号"
                                    f"（1 位字母 + 8 位数字，如 {EX_CARD_NO}）", examples=[EX_ID_NUMBER])

    def to_input(self) -> DocInput:
        return DocInput(doc_type=str(self.doc_type), number=self.number)


class EvidenceIn(StrictIn):
    """Proof the business keeps in the archive (not the card photo: that is the business's own ``photo``)."""

    credential_images: list[str] = Field(default_factory=list, max_length=6,
                                         description=f"证件影像（如身份证正反面），最多 6 张，每张为{IMAGE_NOTE}",
                                         examples=[[EX_IMAGE, EX_IMAGE]])
    scene_image: str | None = image("现场照片（窗口拍摄的办理人现场照）")
    signature_image: str | None = image("签名影像（签字板采集）")
    paper_archive_ref: str = Field(default="", max_length=100,
                                   description="纸质档案编号（无数字档案设备的网点留存纸质材料时填写）",
                                   examples=["YZ-2026-0001"])
    uploaded_documents: list[str] = Field(default_factory=list, max_length=6,
                                          description=f"上传的证件材料图片（APP 网上申办），最多 6 张，每张为{IMAGE_NOTE}",
                                          examples=[[EX_IMAGE, EX_IMAGE]])

    @model_validator(mode="before")
    @classmethod
    def _no_photo(cls, data):
        """A photo sent the old way is refused with its own message (not only as a field not allowed)."""
        if isinstance(data, dict) and "photo" in data:
            raise ValueError("evidence 不含 photo：社保卡照片在申领、补换卡请求的顶层 photo 字段提交")
        return data

    def to_input(self) -> EvidenceInput:
        return EvidenceInput(
            credential_images=[dec(x) for x in self.credential_images],
            scene_image=dec(self.scene_image) if self.scene_image else None,
            signature_image=dec(self.signature_image) if self.signature_image else None,
            paper_archive_ref=self.paper_archive_ref,
            uploaded_documents=[dec(x) for x in self.uploaded_documents],
        )


def _stage_label(stage: str | None) -> str | None:
    return str(ItemStage(stage).label) if stage else None


class RequestOut(Schema):
    """A business as the caller sees it: no personal data beyond masks."""

    request_no: str
    business: str
    channel: str
    applicant_role: str
    status: str
    status_label: str
    pending_steps: list[str]
    production_mode: str
    due_at: dt.datetime | None
    due_provisional: bool
    delivery: str
    tracking_no: str
    pickup_outlet: str | None
    fee_amount_fen: int | None
    receipt_no: str | None
    voucher_no: str | None
    card_no: str | None
    new_card_no: str | None
    review_note: str
    created_at: dt.datetime
    completed_at: dt.datetime | None
    batch_no: str | None = None  # employer batch applications
    production_stage: str | None = None  # central production stage of a batch card (制卡进度)
    production_stage_label: str | None = None

    @staticmethod
    def of(req) -> "RequestOut":
        stage = None
        if req.production_mode == ProductionMode.BATCH:
            stage = ProductionItem.objects.filter(request_id=req.pk).values_list("stage", flat=True).first()
        return RequestOut(
            batch_no=(req.payload or {}).get("batch_no"), production_stage=stage,
            production_stage_label=_stage_label(stage),
            request_no=req.request_no, business=req.business, channel=req.channel,
            applicant_role=req.applicant_role, status=req.status, status_label=str(RequestStatus(req.status).label),
            pending_steps=list(req.pending_steps), production_mode=req.production_mode, due_at=req.due_at,
            due_provisional=req.due_provisional, delivery=req.delivery, tracking_no=req.tracking_no,
            pickup_outlet=req.pickup_outlet.name if req.pickup_outlet_id else None,
            fee_amount_fen=req.fee_amount_fen, receipt_no=req.payment.receipt_no if req.payment_id else None,
            voucher_no=req.voucher_no, card_no=req.card.card_no if req.card_id else None,
            new_card_no=req.new_card.card_no if req.new_card_id else None, review_note=req.review_note,
            created_at=req.created_at, completed_at=req.completed_at,
        )
