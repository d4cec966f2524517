"""Helpers of the production-business tests (desk, card issuance, the API's requests): request bodies,
the request a response names, and what a refused call must leave untouched.  Import them by name;
the fixtures of these tests are in ``sscard.testing.fixtures.desk``."""

import io
import itertools

from PIL import Image, ImageDraw

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk.applications import DeliveryChoice, card_apply
from sscard.desk.intake import EvidenceInput, PersonData
from sscard.desk.models import ServiceRequest
from sscard.hardware.interfaces import ISSUANCE_PRINTER
from sscard.hardware.simulated import simulated_faults
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.photos import photo_bytes


def fail_printer(outlet) -> None:
    simulated_faults.fail(ISSUANCE_PRINTER, f"outlet:{outlet.code}")


def apply_body(*, number=None, birth=None, name="李四", agent=None, photo=True, evidence=None, delivery=None,
               **applicant):
    birth = birth or f.adult_birth()
    body = {
        "applicant": {"doc_type": "id_card", "number": number or f.id_number_for(birth), "name": name,
                      "ethnicity": "汉族", "phone": "13900139000", "address": "重庆市渝北区龙溪街道8号",
                      **applicant},
        "evidence": evidence if evidence is not None else f.window_evidence(),
    }
    if photo:
        body["photo"] = f.b64_photo()
    if agent is not None:
        body["agent"] = agent
    if delivery is not None:
        body["delivery"] = delivery
    return body


def reissue_body(person_or_doc, *, reason="lost", agent=None, evidence=None, photo_changed=False, photo=False):
    doc = person_or_doc if isinstance(person_or_doc, dict) else {"doc_type": "id_card",
                                                                 "number": person_or_doc.id_number}
    body = {"applicant": doc, "reason": reason, "photo_changed": photo_changed,
            "evidence": evidence if evidence is not None else f.window_evidence()}
    if agent is not None:
        body["agent"] = agent
    if photo:
        body["photo"] = f.b64_photo()
    return body


def originals(req: ServiceRequest) -> list[dict]:
    out = [{"party": "applicant", "doc_type": req.materials["applicant_doc"]}]
    if req.materials.get("agent_doc"):
        out.append({"party": "agent", "doc_type": req.materials["agent_doc"]})
    return out


def req_of(resp) -> ServiceRequest:
    assert resp.status_code in (200, 201), resp.content.decode()
    return ServiceRequest.objects.get(request_no=resp.json()["request_no"])


def snapshot(req: ServiceRequest) -> tuple:
    """What a refused call must leave untouched: the request row, its audit trail, the card count."""
    req.refresh_from_db()
    return (req.status, list(req.pending_steps), req.new_card_id, req.payment_id, req.production_mode,
            AuditEvent.objects.count(), Card.objects.count(), clock.now() is not None)


def app_body(person, **delivery):
    """An application in the app by ``person`` (evidence uploaded), posted unless ``delivery`` says else."""
    return apply_body(number=person.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery=delivery or {"method": "post"})


_request_seq = itertools.count(1)


def make_request(*, business="apply", outlet=None, channel="window", status="completed", created_at=None,
                 production_mode="none", due_at=None, applicant=None, pickup_outlet=None, new_card=None,
                 applicant_role="self", **fields) -> ServiceRequest:
    """A business record written directly (counts, backlog and on-time figures of the dashboard); the
    businesses themselves are tested through their services.  A new applicant each time by default."""
    at = created_at or clock.now()
    return ServiceRequest.objects.create(
        request_no=f"YW{at:%Y%m%d}{next(_request_seq):08d}", business=business, channel=channel,
        applicant_role=applicant_role, catalogue_version="test", applicant=applicant or f.make_person(),
        outlet=outlet, pickup_outlet=pickup_outlet, actor_name="测试", actor_role="clerk", status=status,
        production_mode=production_mode, due_at=due_at, new_card=new_card, created_at=at, updated_at=at, **fields)


def _jpeg(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _photo_image() -> bytes:
    """The drawn ID photo that passes the photo rule (white background, one centred face)."""
    return photo_bytes()


def _id_card_image() -> bytes:
    """A 640x404 picture of an ID card's face: a frame, a photo box and lines where the text would be."""
    image = Image.new("RGB", (640, 404), (214, 228, 243))
    draw = ImageDraw.Draw(image)
    draw.rounded_rectangle((8, 8, 631, 395), radius=24, outline=(90, 110, 140), width=4)
    draw.rectangle((450, 70, 590, 250), fill=(160, 160, 170))
    for y in (80, 130, 180, 230, 320):
        draw.rectangle((40, y, 40 + (380 if y != 320 else 560), y + 18), fill=(120, 135, 160))
    return _jpeg(image)


def app_application(person=None, *, name: str = "李四", photo: bool = True) -> ServiceRequest:
    """An application made in the app by ``person`` (a new adult when none) for themself, posted home,
    with the ID card image and the photo uploaded: it waits for review (``pending_review``)."""
    person = person or f.make_person(name=name)
    actor = Actor.for_citizen(f.make_citizen(person))
    evidence = EvidenceInput(uploaded_documents=[_id_card_image()], photo=_photo_image() if photo else None)
    return card_apply(actor=actor, applicant=PersonData(doc_type="id_card", number=person.id_number, name=person.name),
                      evidence=evidence, delivery=DeliveryChoice(method="post"))
