"""Shared intake for every business: who the parties are, which catalogue cell applies, and the
evidence a window must keep.  Business services call these inside their own transaction.
"""

import secrets
from dataclasses import dataclass, field

from sscard.core import clock
from sscard.core.errors import Forbidden, NotFound, Refused
from sscard.desk.models import ServiceRequest
from sscard.policy.catalogue import Cell, get_catalogue
from sscard.policy.choices import ApplicantRole, Channel, DocType
from sscard.policy.rules import is_minor_now


@dataclass(frozen=True)
class DocInput:
    """A document presented (or uploaded): its type and number.  The number is never stored here."""

    doc_type: str
    number: str


@dataclass
class EvidenceInput:
    """Images and references a business brings.  Bytes are decoded images, checked by the archive."""

    credential_images: list[bytes] = field(default_factory=list)
    scene_image: bytes | None = None
    signature_image: bytes | None = None
    paper_archive_ref: str = ""
    uploaded_documents: list[bytes] = field(default_factory=list)  # app: images of the documents
    photo: bytes | None = None


def applicant_role_for(*, birth_date, has_agent: bool) -> str:
    """Self when nobody acts for the applicant; otherwise adult or minor agency by the birth date."""
    if not has_agent:
        return ApplicantRole.SELF
    return ApplicantRole.PROXY_MINOR if is_minor_now(birth_date) else ApplicantRole.PROXY_ADULT


def person_find(doc: DocInput):
    """The person a presented document belongs to: by the keyed hash of the number, or by card number."""
    from sscard.cards.models import Card
    from sscard.core.crypto import lookup_hash
    from sscard.people.models import Person

    if doc.doc_type == DocType.SS_CARD:
        card = Card.objects.select_related("person").filter(card_no=doc.number.strip().upper()).first()
        if card is None:
            raise NotFound("CARD_NOT_FOUND", "未找到该社会保障卡，请核对卡号")
        return card.person
    person = Person.objects.filter(id_hash=lookup_hash(doc.number, purpose="id")).first()
    if person is None:
        raise NotFound("PERSON_NOT_FOUND", "未找到该证件对应的人员信息，请核对证件号码")
    return person


@dataclass(frozen=True)
class EvidenceNeeds:
    archive: str  # "digital" | "paper" | ""
    signature: str  # "pad" | "paper" | ""
    uploads: bool  # app: uploaded document images required


def evidence_needs(cell: Cell, *, outlet, card=None) -> EvidenceNeeds:
    """What evidence this cell needs at this outlet (the catalogue says whether; the outlet says how)."""
    if cell.channel == Channel.WINDOW and outlet is None:
        # A window business is done at an outlet: its evidence rules depend on the outlet's means.
        raise Forbidden("CLERK_WITHOUT_OUTLET", "当前窗口经办员未分配服务网点，不能办理窗口业务")
    archive = cell.archive
    if cell.archive_when == "card_from_app":
        archive = card is not None and card.origin_channel == Channel.APP
    archive_mode = ""
    signature_mode = ""
    if outlet is not None and cell.channel == Channel.WINDOW:
        if archive:
            archive_mode = "digital" if outlet.has_digital_archive else "paper"
        if cell.signature:
            signature_mode = "pad" if outlet.has_signature_pad else "paper"
    return EvidenceNeeds(archive=archive_mode, signature=signature_mode, uploads=cell.evidence == "images")


def evidence_check(needs: EvidenceNeeds, evidence: EvidenceInput, cell: Cell) -> None:
    """Refuse before anything is saved when the evidence the window must keep is missing."""
    if needs.archive == "digital":
        if not evidence.credential_images:
            raise Refused("EVIDENCE_CREDENTIAL_MISSING", "缺少凭证影像：请拍摄或扫描所出示的身份凭证")
        if evidence.scene_image is None:
            raise Refused("EVIDENCE_SCENE_MISSING", "缺少办理场景影像")
    if needs.archive == "paper" and not evidence.paper_archive_ref.strip():
        raise Refused("EVIDENCE_PAPER_REF_MISSING", "本窗口不具备数字化条件，请登记纸质资料存档编号")
    if needs.signature == "pad" and evidence.signature_image is None:
        raise Refused("SIGNATURE_MISSING", "缺少数字签字板签名")
    if needs.uploads:
        expected = 2 if cell.role != ApplicantRole.SELF else 1
        if len(evidence.uploaded_documents) < expected:
            who = "申办人和代办人" if expected == 2 else "申办人"
            raise Refused("UPLOAD_DOCUMENT_MISSING", f"缺少{who}身份证明图片")


def evidence_store(*, actor, request: ServiceRequest, needs: EvidenceNeeds, evidence: EvidenceInput) -> None:
    """Archive what the window keeps: images through the storage API, or the paper reference."""
    from sscard.archive.services import archive_record_paper, archive_store_image

    subject = {"subject_type": "service_request", "subject_id": request.request_no, "person_id": request.applicant_id}
    if needs.archive == "digital":
        for image in evidence.credential_images:
            archive_store_image(actor=actor, kind="credential", content=image, **subject)
        archive_store_image(actor=actor, kind="scene", content=evidence.scene_image, **subject)
    elif needs.archive == "paper":
        archive_record_paper(actor=actor, kind="paper_originals", reference=evidence.paper_archive_ref.strip(),
                             **subject)
    if needs.signature == "pad":
        archive_store_image(actor=actor, kind="signature", content=evidence.signature_image, **subject)
    if needs.uploads:
        for image in evidence.uploaded_documents:
            archive_store_image(actor=actor, kind="uploaded_document", content=image, **subject)
    if evidence.photo is not None:
        archive_store_image(actor=actor, kind="photo", content=evidence.photo, **subject)


def new_number(prefix: str) -> str:
    return f"{prefix}{clock.today():%Y%m%d}{secrets.randbelow(10**8):08d}"


def request_new(*, actor, business: str, cell: Cell, applicant, agent=None, card=None, status: str,
                materials: dict, outlet=None, **fields) -> ServiceRequest:
    """Build (unsaved) the record of a business; the caller saves it inside its transaction."""
    now = clock.now()
    return ServiceRequest(
        request_no=new_number("YW"), business=business, channel=cell.channel, applicant_role=cell.role,
        catalogue_version=get_catalogue().version, applicant=applicant, agent=agent, card=card,
        outlet=outlet, kiosk_id=actor.kiosk_id, citizen_id=actor.citizen_id, actor_name=actor.name,
        actor_role=actor.role, status=status, materials=materials, created_at=now, updated_at=now, **fields,
    )


def outlet_of(actor):
    from sscard.staff.models import Outlet

    if actor.outlet_id is None:
        return None
    return Outlet.objects.get(pk=actor.outlet_id)
