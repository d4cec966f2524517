"""Helpers of the production-business tests (desk, card issuance, the API's requests): request bodies,
the request a response names, and what a refused call must leave untouched.  Import them by name;
the fixtures of these tests are in ``sscard.testing.fixtures.desk``."""

import io

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
        body["photo"] = f.b64_jpeg()
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
        body["photo"] = f.b64_jpeg()
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


def _jpeg(image) -> bytes:
    buf = io.BytesIO()
    image.save(buf, "JPEG", quality=85)
    return buf.getvalue()


def _photo_image() -> bytes:
    """A 358x441 white-background JPEG with a head-and-shoulders outline (something to look at in a review)."""
    image = Image.new("RGB", (358, 441), (255, 255, 255))
    draw = ImageDraw.Draw(image)
    draw.ellipse((119, 70, 239, 215), fill=(120, 120, 128))
    draw.pieslice((49, 230, 309, 560), 180, 360, fill=(60, 70, 90))
    return _jpeg(image)


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
