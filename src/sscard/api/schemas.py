"""Input and output shapes shared by the routers.  Images travel as base64 (or data: URLs)."""

import datetime as dt

from ninja import Field, Schema

from sscard.desk.intake import DocInput, EvidenceInput
from sscard.policy.choices import DocType

B64 = Field(default=None, max_length=8_000_000)


class ErrorOut(Schema):
    code: str
    message: str
    rule: str = ""
    details: dict = {}


class DocIn(Schema):
    """A presented document: its type (DocType) and number (for ss_card, the card number)."""

    doc_type: DocType
    number: str = Field(min_length=1, max_length=40)

    def to_input(self) -> DocInput:
        return DocInput(doc_type=str(self.doc_type), number=self.number)


class EvidenceIn(Schema):
    credential_images: list[str] = Field(default_factory=list, max_length=6)
    scene_image: str | None = B64
    signature_image: str | None = B64
    paper_archive_ref: str = Field(default="", max_length=100)
    uploaded_documents: list[str] = Field(default_factory=list, max_length=6)
    photo: str | None = B64

    def to_input(self) -> EvidenceInput:
        from sscard.archive.services import decode_base64_image as dec

        return EvidenceInput(
            credential_images=[dec(x) for x in self.credential_images],
            scene_image=dec(self.scene_image) if self.scene_image else None,
            signature_image=dec(self.signature_image) if self.signature_image else None,
            paper_archive_ref=self.paper_archive_ref,
            uploaded_documents=[dec(x) for x in self.uploaded_documents],
            photo=dec(self.photo) if self.photo else None,
        )


def _stage_label(stage: str | None) -> str | None:
    from sscard.production.choices import ItemStage

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
        from sscard.desk.choices import ProductionMode, RequestStatus

        stage = None
        if req.production_mode == ProductionMode.BATCH:
            from sscard.production.models import ProductionItem

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
