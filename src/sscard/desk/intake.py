"""The one intake every business goes through: who the parties are, which catalogue cell applies, the
materials and evidence, the card it acts on, and the record of the business.

``business_intake`` runs the same checks in the same order for every business (one-call card
businesses, PIN businesses, information change, and the production businesses that then open steps):

1. the channel offers the business for this kind of applicant at all (before any lookup);
2. the parties: the applicant (the app account's own person, the person a presented document belongs
   to, or a new person created from the typed data) and the agent (an adult; created when typed in full,
   else looked up and possibly unknown to the system);
3. the catalogue cell for (business, channel, applicant role) and the documents presented;
4. the card the business acts on, locked, and its state;
5. the business's own refusals under those locks (``refuse``);
6. the evidence the window must keep.

Everything missing among the materials (documents, photo, images, signature) is named in one refusal, with
every problem of a photo brought that breaks the photo rule (``sscard.archive.photo``: format, size, white
background, one centred face; every channel checks the face).
Call it inside the business's transaction.
"""

import secrets
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import IntegrityError, transaction

from sscard.archive.photo import photo_problems
from sscard.archive.services import archive_record_paper, archive_store_images
from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.cards.choices import LIVE_STATES, CardState
from sscard.cards.models import Card
from sscard.cards.services import card_lock
from sscard.core import clock
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Refused
from sscard.core.masking import mask_id_number
from sscard.desk.choices import RequestStatus
from sscard.desk.models import ServiceRequest
from sscard.people.idnumbers import parse_identity
from sscard.people.lookup import id_hash
from sscard.people.models import Person
from sscard.policy.catalogue import Cell, get_catalogue
from sscard.policy.choices import ApplicantRole, Channel, DocType
from sscard.policy.rules import (
    Materials,
    check_card_state,
    cite_business,
    is_minor_now,
    material_problems,
    precheck_channel,
    raise_problems,
    resolve_cell,
)
from sscard.staff.models import Outlet


@dataclass(frozen=True)
class DocInput:
    """A document presented (or uploaded): its type and number.  The number is never stored here."""

    doc_type: str
    number: str


@dataclass
class PersonData:
    """Personal data of a new applicant (or an agent not yet known): only used to create the person."""

    doc_type: str
    number: str
    name: str = ""
    birth_date: object = None
    gender: str = ""
    ethnicity: str = ""
    nationality: str = "中国"
    phone: str = ""
    address: str = ""


@dataclass
class EvidenceInput:
    """Images and references a business brings.  Bytes are decoded images, checked by the archive (the card
    ``photo`` also by the photo rule)."""

    credential_images: list[bytes] = field(default_factory=list)
    scene_image: bytes | None = None
    signature_image: bytes | None = None
    paper_archive_ref: str = ""
    uploaded_documents: list[bytes] = field(default_factory=list)  # app: images of the documents
    photo: bytes | None = None


@dataclass(frozen=True)
class EvidenceNeeds:
    archive: str  # "digital" | "paper" | ""
    signature: str  # "pad" | "paper" | ""
    uploads: bool  # app: uploaded document images required


@dataclass
class Intake:
    """The checked parties of a business: cell, applicant, agent, the locked card, the record once saved."""

    cell: Cell
    applicant: Person
    agent: Person | None
    card: Card | None
    outlet: Outlet | None
    request: ServiceRequest | None
    needs: EvidenceNeeds
    evidence: EvidenceInput
    materials: dict
    applicant_new: bool = False  # the applicant's row was inserted by this transaction (``registered_now``)


def applicant_role_for(*, birth_date, has_agent: bool) -> str:
    """Self when nobody acts for the applicant; otherwise adult or minor agency by the birth date."""
    if not has_agent:
        return ApplicantRole.SELF
    return ApplicantRole.PROXY_MINOR if is_minor_now(birth_date) else ApplicantRole.PROXY_ADULT


# ---------------------------------------------------------------- parties


def person_find(doc: DocInput) -> Person:
    """The person a presented document belongs to: by the keyed hash of the number, or by card number."""
    if doc.doc_type == DocType.SS_CARD:
        card = Card.objects.select_related("person").filter(card_no=doc.number.strip().upper()).first()
        if card is None:
            raise NotFound("CARD_NOT_FOUND", "未找到该社会保障卡，请核对卡号")
        return card.person
    person = Person.objects.filter(id_hash=id_hash(doc.number, doc.doc_type)).first()
    if person is None:
        raise NotFound("PERSON_NOT_FOUND", "未找到该证件对应的人员信息，请核对证件号码")
    return person


def person_find_or_create(data: PersonData, *, who: str, actor, lock: bool = False) -> Person:
    """The person the number belongs to, created from ``data`` when unknown (15-digit IDs upgraded).

    Audited ``PERSON_CREATED`` (masked).  A concurrent creation of the same person is caught by the
    unique lookup hash: the loser reads the winner's row.  ``lock``: the person found is locked for the
    rest of the transaction, in the statement that finds it (one created now is locked by its insert).
    """
    if data.doc_type == DocType.SS_CARD:
        person = person_find(DocInput(data.doc_type, data.number))
        return Person.objects.select_for_update().get(pk=person.pk) if lock else person
    ident = parse_identity(data.doc_type, data.number, today=clock.today())
    persons = Person.objects.select_for_update() if lock else Person.objects
    person = persons.filter(id_hash=id_hash(ident.number, data.doc_type)).first()
    if person is not None:
        return person
    birth = ident.birth_date or data.birth_date
    if birth is None:
        raise InvalidInput("BIRTH_DATE_REQUIRED", f"{who}证件号码不含出生日期，请填写出生日期")
    if ident.birth_date and data.birth_date and ident.birth_date != data.birth_date:
        raise InvalidInput("BIRTH_DATE_MISMATCH", f"{who}出生日期与证件号码不一致")
    if birth > clock.today():
        raise InvalidInput("BIRTH_DATE_INVALID", f"{who}出生日期晚于今天")
    name = (data.name or "").strip()
    if not name:
        raise InvalidInput("NAME_REQUIRED", f"请填写{who}姓名")
    now = clock.now()
    person = Person(name=name[:100], id_type=data.doc_type, birth_date=birth,
                    gender=ident.gender or (data.gender if data.gender in ("M", "F") else ""),
                    ethnicity=(data.ethnicity or "")[:20], nationality=(data.nationality or "中国")[:40],
                    address=data.address or "", created_at=now, updated_at=now)
    person.set_id_number(ident.number)
    person.set_phone((data.phone or "").strip())
    try:
        with transaction.atomic():  # savepoint: a lost race leaves the outer transaction usable
            person.save(force_insert=True)
    except IntegrityError:
        # Another request created the same person at this moment; our insert waited for it to commit.
        person = persons.filter(id_hash=person.id_hash).first()
        if person is None:
            raise Conflict("PERSON_BEING_CREATED", f"{who}信息正在由另一笔业务登记，请稍后重试") from None
        return person
    person._sscard_registered_now = True  # see registered_now
    audit_record(event_type=AuditEventType.PERSON_CREATED, actor=actor, subject_type="person",
                 subject_id=person.pk, person_id=person.pk,
                 after={"id_type": person.id_type, "id_number": person.masked_id_number,
                        "birth_date": person.birth_date, "has_phone": bool(person.phone),
                        "has_address": bool(person.address)},
                 data={"upgraded_from_15": bool(ident.upgraded_from), "as": who})
    return person


def registered_now(person: Person) -> bool:
    """Whether ``person`` was inserted by the current transaction (``person_find_or_create``): no other
    transaction can see the row before the commit, so nobody else can lock it, and it has no card and no
    business but what this transaction gives it."""
    return getattr(person, "_sscard_registered_now", False)


def _agent_typed(agent: PersonData, *, actor) -> Person:
    """An agent typed in full (production businesses): found or registered; must be an adult."""
    person = person_find_or_create(agent, who="代办人", actor=actor)
    if is_minor_now(person.birth_date):
        raise Refused("AGENT_IS_MINOR", "代办人须为成年人")
    return person


def agent_presented(agent: DocInput) -> Person | None:
    """The agent's person row when the agent is known to the system (not every agent holds a card)."""
    try:
        return person_find(agent)
    except NotFound:
        if agent.doc_type == DocType.SS_CARD:
            raise
        return None


def refuse_not_account_holder(actor, business: str, applicant: DocInput | None) -> None:
    """On the app the applicant is the account's own person: a document presented must be theirs."""
    if applicant is not None and person_find(applicant).pk != actor.person_id:
        raise Forbidden("APPLICANT_NOT_ACCOUNT_HOLDER", "APP只能为登录账户本人办理业务", rule=cite_business(business))


def presented_document_check(business: str, applicant: DocInput | None) -> None:
    """Away from the app the applicant presents a document: one must be there, and an ID number valid."""
    if applicant is None:
        raise InvalidInput("APPLICANT_DOC_MISSING", "缺少申办人身份凭证（证件类型和号码）", rule=cite_business(business))
    if applicant.doc_type != DocType.SS_CARD:
        parse_identity(applicant.doc_type, applicant.number, today=clock.today())


def applicant_person(actor, business: str, applicant, agent_person: Person | None = None, *,
                     lock: bool = False) -> Person:
    """The applicant: created from typed data, the app account's own person, or the person the presented
    document belongs to.  ``lock``: typed data's person is locked as it is found (the others are not)."""
    if isinstance(applicant, PersonData):
        person = person_find_or_create(applicant, who="申办人", actor=actor, lock=lock)
        if actor.channel == Channel.APP:
            owner = agent_person if agent_person is not None else person
            if owner.pk != actor.person_id:
                raise Forbidden("APP_ACCOUNT_MISMATCH", "APP只能为本人申领，或以本人身份为未成年人代办")
        return person
    if actor.channel == Channel.APP:
        person = Person.objects.get(pk=actor.person_id)
        refuse_not_account_holder(actor, business, applicant)
        return person
    presented_document_check(business, applicant)
    return person_find(applicant)


def refuse_agent_is_applicant(agent: Person | None, applicant_id: int) -> None:
    if agent is not None and agent.pk == applicant_id:
        raise Refused("AGENT_IS_APPLICANT", "代办人不能是申办人本人，请按本人办理")


# ---------------------------------------------------------------- the card a business acts on


def live_card_of(person) -> Card | None:
    return Card.objects.filter(person=person, state__in=list(LIVE_STATES)).order_by("-id").first()


def live_card_lock(person, business: str) -> Card:
    """Lock the person's card in use.  Re-checked under the lock: a concurrent business may have ended the
    card between the read and the lock; the answer is then what a later request would get (the card that
    replaced it, or no card in use)."""
    for _ in range(3):
        found = live_card_of(person)
        if found is None:
            break
        card = card_lock(found.pk)
        if card.state in LIVE_STATES:
            return card
    else:
        raise Conflict("CARD_BUSY", "该卡正在办理其他业务，请稍后重试", rule=cite_business(business))
    raise NotFound("CARD_NOT_FOUND", "该人员名下没有在用的社会保障卡", rule=cite_business(business))


def _refuse_presented_card_ended(applicant, business: str) -> None:
    if isinstance(applicant, DocInput) and applicant.doc_type == DocType.SS_CARD:
        presented = Card.objects.filter(card_no=applicant.number.strip().upper()).first()
        if presented is not None and presented.state not in LIVE_STATES:
            raise Refused("CARD_NOT_CURRENT", "所出示的社保卡已注销或已换卡，请出示现用卡或身份证",
                          rule=cite_business(business))


# ---------------------------------------------------------------- evidence


def outlet_of(actor) -> Outlet | None:
    """The caller's outlet: the row read with the caller in this request when there is one, else read now."""
    if actor.outlet_id is None:
        return None
    outlet = getattr(actor, "outlet", None)
    if outlet is not None and outlet.pk == actor.outlet_id:
        return outlet
    return Outlet.objects.get(pk=actor.outlet_id)


def refuse_window_without_outlet(cell: Cell, outlet) -> None:
    """A window business is done at an outlet (``outlet``: the row or its id): its evidence rules depend on
    the outlet's means."""
    if cell.channel == Channel.WINDOW and outlet is None:
        raise Forbidden("CLERK_WITHOUT_OUTLET", "当前窗口经办员未分配服务网点，不能办理窗口业务")


def cell_keeps_evidence(cell: Cell) -> bool:
    """Whether the cell asks the channel to keep anything (images, paper, a signature, uploads)."""
    return bool(cell.archive or cell.archive_when or cell.signature or cell.evidence == "images")


def evidence_needs(cell: Cell, *, outlet, card=None) -> EvidenceNeeds:
    """What evidence this cell needs at this outlet (the catalogue says whether; the outlet says how)."""
    refuse_window_without_outlet(cell, outlet)
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


def evidence_problems(needs: EvidenceNeeds, evidence: EvidenceInput, cell: Cell | None) -> list[Refused]:
    """Every piece of evidence the window must keep that is missing (none: empty list)."""
    out = []
    if needs.archive == "digital":
        if not evidence.credential_images:
            out.append(Refused("EVIDENCE_CREDENTIAL_MISSING", "缺少凭证影像：请拍摄或扫描所出示的身份凭证"))
        if evidence.scene_image is None:
            out.append(Refused("EVIDENCE_SCENE_MISSING", "缺少办理场景影像"))
    if needs.archive == "paper" and not evidence.paper_archive_ref.strip():
        out.append(Refused("EVIDENCE_PAPER_REF_MISSING", "本窗口不具备数字化条件，请登记纸质资料存档编号"))
    if needs.signature == "pad" and evidence.signature_image is None:
        out.append(Refused("SIGNATURE_MISSING", "缺少数字签字板签名"))
    if needs.uploads:
        expected = 2 if cell is not None and cell.role != ApplicantRole.SELF else 1
        if len(evidence.uploaded_documents) < expected:
            who = "申办人和代办人" if expected == 2 else "申办人"
            out.append(Refused("UPLOAD_DOCUMENT_MISSING", f"缺少{who}身份证明图片"))
    return out


def evidence_check(needs: EvidenceNeeds, evidence: EvidenceInput, cell: Cell | None, *, rule: str = "") -> None:
    """Refuse before anything is saved when evidence the window must keep is missing (all of it named)."""
    raise_problems(evidence_problems(needs, evidence, cell), rule=rule)


def evidence_store(*, actor, request: ServiceRequest, needs: EvidenceNeeds, evidence: EvidenceInput) -> None:
    """Archive what the window keeps: images through the storage API (one insert for all of them), or the
    paper reference."""
    subject = {"subject_type": "service_request", "subject_id": request.request_no, "person_id": request.applicant_id}
    images = []
    if needs.archive == "digital":
        images += [("credential", image) for image in evidence.credential_images]
        images.append(("scene", evidence.scene_image))
    elif needs.archive == "paper":
        archive_record_paper(actor=actor, kind="paper_originals", reference=evidence.paper_archive_ref.strip(),
                             **subject)
    if needs.signature == "pad":
        images.append(("signature", evidence.signature_image))
    if needs.uploads:
        images += [("uploaded_document", image) for image in evidence.uploaded_documents]
    if evidence.photo is not None:
        images.append(("photo", evidence.photo))
    if images:
        archive_store_images(actor=actor, images=images, **subject)


# ---------------------------------------------------------------- the record


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


# ---------------------------------------------------------------- the intake

CardOf = Callable[[Person], Card | None]


def _doc_type(party) -> str | None:
    return party.doc_type if party is not None else None


def business_intake(*, actor, business: str, applicant: DocInput | PersonData | None,
                    agent: DocInput | PersonData | None = None, evidence: EvidenceInput | None = None,
                    card_of: CardOf | None = None, need_card: bool = True, card: Card | None = None,
                    check_state: bool = True, photo_changed: bool = False, lock_person: bool = False,
                    refuse: Callable[[Intake], None] | None = None, payload: dict | None = None,
                    record: bool = True) -> Intake:
    """Check a business and (``record``) save its completed record; call inside a transaction.

    Rule: the catalogue cell for (business, caller's channel, role) must offer it; the documents must be
    the accepted ones, with the photo where the cell needs one, and a photo brought must pass the photo
    rule (its every problem named in ``details.missing`` with the missing materials); on the app the
    applicant is the account's own person (or, applying, the account holder acts for a minor); the card
    state must be one the catalogue lists; a window keeps the evidence the cell asks for.

    The card: ``card`` (given), or ``card_of(person)`` (the business finds it), each locked here, or the
    person's card in use, locked (``need_card``; none: 404).  ``refuse`` runs the business's own checks
    under the locks, before the evidence is looked at.
    """
    precheck_channel(business, actor.channel, proxy=agent is not None)  # refuse a ruled-out cell before lookups
    evidence = evidence or EvidenceInput()
    agent_person = _agent_typed(agent, actor=actor) if isinstance(agent, PersonData) else None
    person = applicant_person(actor, business, applicant, agent_person, lock=lock_person)
    if isinstance(agent, DocInput):
        agent_person = agent_presented(agent)
    refuse_agent_is_applicant(agent_person, person.pk)
    role = applicant_role_for(birth_date=person.birth_date, has_agent=agent is not None)
    cell = resolve_cell(business, actor.channel, role)
    outlet = outlet_of(actor)
    problems = material_problems(cell, Materials(applicant_doc=_doc_type(applicant), agent_doc=_doc_type(agent),
                                                 photo=evidence.photo is not None, photo_changed=photo_changed))
    if evidence.photo is not None:  # the photo printed on the card: the one photo rule, face included
        problems += photo_problems(evidence.photo)
    if problems:  # name everything missing at once: the evidence too, as far as it can be known now
        found = card or live_card_of(person)
        problems += evidence_problems(evidence_needs(cell, outlet=outlet, card=found), evidence, cell)
        raise_problems(problems, rule=cite_business(business))
    if need_card and card is None and card_of is None:
        _refuse_presented_card_ended(applicant, business)
    applicant_new = registered_now(person)
    if lock_person and not isinstance(applicant, PersonData):  # typed data's person is locked already
        person = Person.objects.select_for_update().get(pk=person.pk)
    if card is not None:
        card = card_lock(card.pk)
    elif card_of is not None:
        card = card_of(person)
        card = card_lock(card.pk) if card is not None else None
    elif need_card:
        card = live_card_lock(person, business)
    if card is not None and check_state:
        check_card_state(business, card.state, CardState(card.state).label)
    materials = {"applicant_doc": _doc_type(applicant) or "", "agent_doc": _doc_type(agent) or "",
                 "evidence": cell.evidence}
    if isinstance(agent, DocInput) and agent_person is None:
        materials["agent_number_masked"] = mask_id_number(agent.number)
    it = Intake(cell=cell, applicant=person, agent=agent_person, card=card, outlet=outlet, request=None,
                needs=EvidenceNeeds("", "", False), evidence=evidence, materials=materials,
                applicant_new=applicant_new)
    if refuse is not None:
        refuse(it)
    it.needs = evidence_needs(cell, outlet=outlet, card=card)
    evidence_check(it.needs, evidence, cell, rule=cite_business(business))
    if record:
        intake_save(it, actor=actor, payload=payload)
    return it


def intake_save(it: Intake, *, actor, payload: dict | None = None) -> ServiceRequest:
    """Save the completed record of a checked business and archive the evidence the window keeps."""
    req = request_new(actor=actor, business=it.cell.business, cell=it.cell, applicant=it.applicant,
                      agent=it.agent, card=it.card, status=RequestStatus.COMPLETED, materials=it.materials,
                      outlet=it.outlet, completed_at=clock.now(), payload=payload or {},
                      archive_mode=it.needs.archive, signature_mode=it.needs.signature)
    req.save()
    evidence_store(actor=actor, request=req, needs=it.needs, evidence=it.evidence)
    it.request = req
    return req
