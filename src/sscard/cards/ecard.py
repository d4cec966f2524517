"""电子社保卡 (the e-card mirror): a short-lived signed code the app user shows, read at a window or a kiosk
to identify the holder instead of the physical card.

The code: ``EC1`` + RFC 4648 base32 (upper case, no padding; QR alphanumeric mode, and a scanner that
types it is not bothered by case) of 27 bytes of payload and their 32-byte HMAC-SHA256:

    version (1 byte) | card id (8) | issued at, Unix seconds (4) | lifetime, seconds (2) | nonce (12)

The card is named by its row id only: no name, ID or card number in clear.  The key is derived from
``SSCARD_ECARD_KEY`` (required in production, ``config.security``) with a purpose label, so the setting
signs nothing else.  HMAC rather than Ed25519: the issuer and every verifier are this service (the app
shows the code, it does not check it), so one secret kept on the servers is enough and the code stays
short.

Verification (``ecard_code_verify``): the shape and the signature (``ECARD_CODE_INVALID``, a garbled code
is a 400, never a 5xx), the lifetime against ``clock.now()`` (``ECARD_CODE_EXPIRED``), the card locked and
still usable (lost, locked, cancelled or not yet active are refused with their own codes), and the code's
nonce recorded once (``EcardCodeUse``, unique: a second use is ``ECARD_CODE_USED`` in any process, the
second of two simultaneous uses waiting on the first's row).  Like the status query, a verification is a
read that shows whose card it is: it makes no business record and no audit event, and writes one
access-log row (``ecard.code_verify``).  A refused code changes nothing and is not logged.
"""

import base64
import binascii
import datetime as dt
import hashlib
import hmac
import os
import struct
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction

from sscard.audit.access import access_record
from sscard.cards.choices import LIVE_STATES, CardState
from sscard.cards.models import Card, EcardCodeUse
from sscard.core import clock
from sscard.core.errors import Conflict, InvalidInput, NotFound, Refused
from sscard.core.masking import mask_card_no, mask_id_number, mask_name
from sscard.staff.permissions import require

PREFIX = "EC1"
VERSION = 1
_PAYLOAD = struct.Struct(">BQIH12s")
_MAC_BYTES = 32
_CODE_LENGTH = len(PREFIX) + len(base64.b32encode(b"\0" * (_PAYLOAD.size + _MAC_BYTES)).rstrip(b"="))
MAX_CODE_LENGTH = 200  # what an input field or the API takes; anything longer is not a code
ISSUE, VERIFY = "ecard.code_issue", "ecard.code_verify"

# A state in which the card cannot stand for its holder: the refusal's code, and each code's message.
_UNUSABLE = {
    CardState.LOST: "ECARD_CARD_LOST",
    CardState.LOST_TEMP: "ECARD_CARD_LOST",
    CardState.LOCKED: "ECARD_CARD_LOCKED",
    CardState.CANCELLED: "ECARD_CARD_CANCELLED",
    CardState.REPLACED: "ECARD_CARD_CANCELLED",
    CardState.MADE: "ECARD_CARD_NOT_ACTIVE",
    CardState.PRODUCED: "ECARD_CARD_NOT_ACTIVE",
}
_UNUSABLE_MESSAGES = {
    "ECARD_CARD_LOST": "该社保卡已挂失，电子社保卡码不能使用",
    "ECARD_CARD_LOCKED": "该社保卡已锁定，请先到服务窗口解锁",
    "ECARD_CARD_CANCELLED": "该社保卡已注销，电子社保卡码不能使用",
    "ECARD_CARD_NOT_ACTIVE": "该社保卡尚未启用，电子社保卡码不能使用",
}


@dataclass(frozen=True)
class IssuedCode:
    code: str
    issued_at: dt.datetime
    expires_at: dt.datetime
    card_no_masked: str


def _key() -> bytes:
    return hmac.new(settings.ECARD_KEY.encode(), b"sscard e-card code signing v1", hashlib.sha256).digest()


def _mac(payload: bytes) -> bytes:
    return hmac.new(_key(), payload, hashlib.sha256).digest()


def ecard_state_usable(state: str | None) -> bool:
    """Whether a card in ``state`` may show an e-card code (the rule ``_refuse_unusable`` enforces; pages
    offer the code by it)."""
    return state is not None and state not in _UNUSABLE


def _refuse_unusable(card: Card) -> None:
    if card.state in _UNUSABLE:
        raise Refused(_UNUSABLE[card.state], _UNUSABLE_MESSAGES[_UNUSABLE[card.state]],
                      details={"card_state": card.state})


def code_make(card_id: int, issued_at: dt.datetime, ttl_seconds: int, nonce: bytes) -> str:
    """The signed code (no check of the card: ``ecard_code_issue`` does that)."""
    payload = _PAYLOAD.pack(VERSION, card_id, int(issued_at.timestamp()), ttl_seconds, nonce)
    return PREFIX + base64.b32encode(payload + _mac(payload)).decode().rstrip("=")


@dataclass(frozen=True)
class _Parsed:
    card_id: int
    issued_at: dt.datetime
    expires_at: dt.datetime
    nonce: str


def code_parse(code: object) -> _Parsed:
    """The code's fields once its shape and signature hold; ``ECARD_CODE_INVALID`` for anything else."""
    invalid = InvalidInput("ECARD_CODE_INVALID", "电子社保卡码无效，请让持卡人刷新后重新出示")
    text = code.strip().upper() if isinstance(code, str) else ""
    if len(text) != _CODE_LENGTH or not text.startswith(PREFIX):
        raise invalid
    body = text[len(PREFIX):]
    try:
        raw = base64.b32decode(body + "=" * (-len(body) % 8))
    except (binascii.Error, ValueError):
        raise invalid from None
    payload, mac = raw[:_PAYLOAD.size], raw[_PAYLOAD.size:]
    if len(mac) != _MAC_BYTES or not hmac.compare_digest(mac, _mac(payload)):
        raise invalid
    version, card_id, issued, ttl, nonce = _PAYLOAD.unpack(payload)
    if version != VERSION:
        raise invalid
    issued_at = dt.datetime.fromtimestamp(issued, tz=dt.timezone.utc)
    return _Parsed(card_id, issued_at, issued_at + dt.timedelta(seconds=ttl), nonce.hex())


def ecard_code_issue(*, actor) -> IssuedCode:
    """A fresh code for the app user's own usable card (live and active), valid
    ``SSCARD_ECARD_CODE_TTL_SECONDS``.  A read: nothing is stored until a window or kiosk uses it."""
    require(actor, ISSUE)
    card = (Card.objects.filter(person_id=actor.person_id, state__in=LIVE_STATES)
            .only("card_no", "state").first())
    if card is None:
        raise NotFound("ECARD_NO_CARD", "您还没有可用的社会保障卡，不能生成电子社保卡码")
    _refuse_unusable(card)
    now = clock.now().replace(microsecond=0)
    ttl = settings.ECARD_CODE_TTL_SECONDS
    return IssuedCode(code=code_make(card.pk, now, ttl, os.urandom(12)), issued_at=now,
                      expires_at=now + dt.timedelta(seconds=ttl), card_no_masked=mask_card_no(card.card_no))


def ecard_code_verify(*, actor, code: object) -> dict:
    """Identify the holder of a shown code at a window or a kiosk (see the module's text for the checks).

    Returns ``person_id`` and the holder as a window or kiosk screen shows it, masked: ``name_masked``,
    ``id_number_masked``, ``card_no_masked``, ``card_state``."""
    require(actor, VERIFY)
    parsed = code_parse(code)
    now = clock.now()
    if now >= parsed.expires_at:
        raise Refused("ECARD_CODE_EXPIRED", "电子社保卡码已过期，请让持卡人刷新后重新出示")
    if parsed.issued_at > now + dt.timedelta(seconds=settings.ECARD_CODE_TTL_SECONDS):
        raise InvalidInput("ECARD_CODE_INVALID", "电子社保卡码无效，请让持卡人刷新后重新出示")
    with transaction.atomic():
        card = Card.objects.select_for_update(of=("self",)).select_related("person").filter(
            pk=parsed.card_id).first()
        if card is None:
            raise InvalidInput("ECARD_CODE_INVALID", "电子社保卡码无效，请让持卡人刷新后重新出示")
        _refuse_unusable(card)
        try:
            with transaction.atomic():
                EcardCodeUse.objects.create(nonce=parsed.nonce, card=card, used_at=now,
                                            expires_at=parsed.expires_at, channel=actor.channel,
                                            outlet_id=actor.outlet_id)
        except IntegrityError:
            raise Conflict("ECARD_CODE_USED", "该电子社保卡码已使用过，请让持卡人刷新后重新出示") from None
        access_record(actor=actor, operation=VERIFY, person_id=card.person_id, card_ids=[card.pk])
    person = card.person
    return {"person_id": person.pk, "name_masked": mask_name(person.name),
            "id_number_masked": mask_id_number(person.id_number),
            "card_no_masked": mask_card_no(card.card_no),
            "card_state": card.state}


def ecard_code_uses_purge(*, older_than: dt.timedelta = dt.timedelta(days=1)) -> int:
    """Delete the uses of codes expired more than ``older_than`` ago (they guard nothing: such a code is
    refused as expired).  Returns how many went.  No personal data, no audit."""
    deleted, _ = EcardCodeUse.objects.filter(expires_at__lt=clock.now() - older_than).delete()
    return deleted
