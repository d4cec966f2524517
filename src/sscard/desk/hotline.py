"""12333 hotline: who is calling.

Before anything is done on the phone the operator checks the caller against one card: the card number,
the holder's name and the holder's ID number must all belong to that one card (``caller_verify``).
Every attempt is recorded (``CALLER_VERIFIED`` / ``CALLER_VERIFICATION_FAILED``, masked); a failed one
never says which of the three did not match.  The verified caller (``VerifiedCaller``: ids and masks
only, no value in clear) is kept by the page for ``settings.SSCARD_HOTLINE_CALLER_MINUTES``.

The businesses of the call (loss report, status query: ``desk.lifecycle``) go through the one intake on
the phone channel with the verified card as the presented document (``caller_document``), so the
catalogue decides what the phone may do.
"""

import datetime as dt
from dataclasses import asdict, dataclass

from django.conf import settings
from django.db import transaction

from sscard.audit.choices import AuditEventType
from sscard.audit.services import audit_record
from sscard.cards.models import Card
from sscard.core import clock, crypto, masking
from sscard.core.errors import InvalidInput, NotFound, Refused
from sscard.desk.intake import DocInput
from sscard.people.lookup import id_hashes
from sscard.policy.choices import DocType
from sscard.staff.permissions import require

FIELDS = {"card_no": "请填写社保卡号", "name": "请填写持卡人姓名", "id_number": "请填写持卡人身份证号码"}


def caller_minutes() -> int:
    return int(getattr(settings, "SSCARD_HOTLINE_CALLER_MINUTES", 10))


@dataclass(frozen=True)
class VerifiedCaller:
    """A caller whose card number, name and ID number matched one card: what the page may keep and show."""

    card_id: int
    person_id: int
    staff_id: int | None
    card_no_masked: str
    name_masked: str
    id_number_masked: str
    verified_at: dt.datetime
    expires_at: dt.datetime

    def live_for(self, actor, now: dt.datetime | None = None) -> bool:
        """Still within its time, and verified by this operator."""
        return self.staff_id == actor.staff_id and (now or clock.now()) < self.expires_at

    def to_session(self) -> dict:
        data = asdict(self)
        data["verified_at"], data["expires_at"] = self.verified_at.isoformat(), self.expires_at.isoformat()
        return data

    @classmethod
    def from_session(cls, data) -> "VerifiedCaller | None":
        """The caller kept in a session, or None when there is none (or what is there is not one)."""
        if not isinstance(data, dict):
            return None
        try:
            return cls(card_id=int(data["card_id"]), person_id=int(data["person_id"]),
                       staff_id=int(data["staff_id"]) if data.get("staff_id") is not None else None,
                       card_no_masked=str(data["card_no_masked"]), name_masked=str(data["name_masked"]),
                       id_number_masked=str(data["id_number_masked"]),
                       verified_at=dt.datetime.fromisoformat(data["verified_at"]),
                       expires_at=dt.datetime.fromisoformat(data["expires_at"]))
        except (KeyError, TypeError, ValueError):
            return None


def _printable(value) -> str:
    """What was typed, without control characters (a NUL cannot even be stored in PostgreSQL)."""
    return "".join(ch for ch in str(value or "") if ch.isprintable())


def _clean(card_no, name, id_number) -> dict:
    values = {"card_no": crypto.normalise(_printable(card_no))[:20], "name": _printable(name).strip()[:100],
              "id_number": crypto.normalise(_printable(id_number))[:18]}
    missing = [{"field": k, "message": m} for k, m in FIELDS.items() if not values[k]]
    if missing:
        raise InvalidInput("CALLER_DETAILS_MISSING", "；".join(m["message"] for m in missing),
                           details={"missing": missing})
    return values


def caller_verify(*, actor, card_no: str, name: str, id_number: str) -> VerifiedCaller:
    """Check the caller: the three values must belong to one card.  Recorded either way (masked).

    Refused with ``CALLER_NOT_VERIFIED`` (422) when they do not, without saying which one differs; the
    record of the failed attempt is kept (committed before the refusal is raised).
    """
    require(actor, "caller.verify")
    values = _clean(card_no, name, id_number)
    card = Card.objects.select_related("person").filter(card_no=values["card_no"]).first()
    person = card.person if card is not None else None
    matched = (person is not None and person.name == values["name"]
               and person.id_hash in id_hashes(values["id_number"]))
    masked = {"card_no": masking.mask_card_no(values["card_no"])}
    with transaction.atomic():
        if not matched:
            audit_record(event_type=AuditEventType.CALLER_VERIFICATION_FAILED, actor=actor,
                         subject_type="card" if card else "caller",
                         subject_id=card.card_no if card else masked["card_no"],
                         person_id=person.pk if person else None, data={**masked, "card_found": card is not None})
        else:
            now = clock.now()
            caller = VerifiedCaller(card_id=card.pk, person_id=person.pk, staff_id=actor.staff_id,
                                    card_no_masked=masked["card_no"], name_masked=masking.mask_name(person.name),
                                    id_number_masked=person.masked_id_number, verified_at=now,
                                    expires_at=now + dt.timedelta(minutes=caller_minutes()))
            audit_record(event_type=AuditEventType.CALLER_VERIFIED, actor=actor, subject_type="card",
                         subject_id=card.card_no, person_id=person.pk,
                         data={**masked, "valid_until": caller.expires_at.isoformat()})
    if not matched:
        raise Refused("CALLER_NOT_VERIFIED", "社保卡号、姓名、身份证号码与同一张社保卡不符，身份核验未通过，请来电人核对后重新提供")
    return caller


def caller_document(caller: VerifiedCaller) -> DocInput:
    """The verified card as the document the caller presents to a business of the call."""
    card_no = Card.objects.filter(pk=caller.card_id).values_list("card_no", flat=True).first()
    if card_no is None:
        raise NotFound("CARD_NOT_FOUND", "未找到该社会保障卡，请重新核验来电人身份")
    return DocInput(doc_type=DocType.SS_CARD, number=card_no)
