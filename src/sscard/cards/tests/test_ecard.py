"""电子社保卡码 (cards.ecard): issue for the app user's usable card, verify at a window or kiosk."""

import base64
import datetime as dt
import io

import pytest
from django.core.management import call_command

from sscard.audit.models import AccessLogEntry
from sscard.cards.ecard import (
    code_make,
    code_parse,
    ecard_code_issue,
    ecard_code_uses_purge,
    ecard_code_verify,
)
from sscard.cards.models import EcardCodeUse
from sscard.core import clock
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound, Refused
from sscard.core.masking import mask_card_no
from sscard.staff.actors import Actor
from sscard.testing import factories as f

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


@pytest.fixture(autouse=True)
def _frozen():
    clock.freeze(T0)


@pytest.fixture
def app(citizen):
    return Actor.for_citizen(citizen)


@pytest.fixture
def window(clerk):
    return Actor.for_staff(clerk)


def test_issue_then_verify_identifies_the_holder_and_logs_the_look(app, window, card, adult):
    issued = ecard_code_issue(actor=app)
    assert issued.expires_at - issued.issued_at == dt.timedelta(seconds=60)
    assert issued.card_no_masked == mask_card_no(card.card_no)
    raw = _raw(issued.code)
    for clear in (card.card_no, adult.name, adult.id_number):  # the card is named by its row id only
        assert clear.encode() not in raw and clear not in issued.code
    assert code_parse(issued.code).card_id == card.pk
    clock.advance(dt.timedelta(seconds=30))
    holder = ecard_code_verify(actor=window, code=issued.code.lower())  # a scanner's case does not matter
    assert holder["person_id"] == adult.pk
    assert holder["name_masked"] != adult.name and holder["name_masked"][0] == adult.name[0]
    assert adult.id_number not in holder["id_number_masked"]
    entry = AccessLogEntry.objects.get()
    assert (entry.operation, entry.person_id, entry.card_ids, entry.actor_id) == (
        "ecard.code_verify", adult.pk, [card.pk], window.staff_id)
    use = EcardCodeUse.objects.get()
    assert (use.card_id, use.channel, use.outlet_id) == (card.pk, "window", window.outlet_id)


def test_the_kiosk_verifies_too(app, kiosk, card, adult):
    holder = ecard_code_verify(actor=Actor.for_kiosk(kiosk), code=ecard_code_issue(actor=app).code)
    assert holder["person_id"] == adult.pk
    assert AccessLogEntry.objects.get().channel == "kiosk"


def test_expired_code_is_refused_and_changes_nothing(app, window, card):
    code = ecard_code_issue(actor=app).code
    clock.advance(dt.timedelta(seconds=60))
    with pytest.raises(Refused) as exc:
        ecard_code_verify(actor=window, code=code)
    assert exc.value.code == "ECARD_CODE_EXPIRED"
    assert not EcardCodeUse.objects.exists() and not AccessLogEntry.objects.exists()


def test_the_lifetime_is_a_setting(app, window, card, settings):
    settings.ECARD_CODE_TTL_SECONDS = 120
    issued = ecard_code_issue(actor=app)
    assert issued.expires_at == T0 + dt.timedelta(seconds=120)
    clock.advance(dt.timedelta(seconds=90))
    assert ecard_code_verify(actor=window, code=issued.code)["person_id"] == card.person_id


@pytest.mark.parametrize("garbled", ["", "EC1", "hello", "EC1" + "A" * 95, "EC1" + "!" * 95, "😀" * 98,
                                     None, 12, "x" * 10_000])
def test_garbled_codes_are_invalid_input(window, garbled, db):
    with pytest.raises(InvalidInput) as exc:
        ecard_code_verify(actor=window, code=garbled)
    assert exc.value.code == "ECARD_CODE_INVALID"


def _raw(code: str) -> bytes:
    return base64.b32decode(code[3:] + "=" * (-len(code[3:]) % 8))


def _code(raw: bytes) -> str:
    return "EC1" + base64.b32encode(raw).decode().rstrip("=")


def test_a_tampered_code_is_invalid(app, window, card):
    code = ecard_code_issue(actor=app).code
    other = f.make_card(f.make_person(name="李四"))
    raw = bytearray(_raw(code))
    # another card's id in the payload, the original signature kept: a forged code
    forged = bytearray(raw)
    forged[1:9] = other.pk.to_bytes(8, "big")
    # a longer lifetime claimed
    longer = bytearray(raw)
    longer[13:15] = (3600).to_bytes(2, "big")
    flipped = bytearray(raw)
    flipped[-1] ^= 1  # one bit of the signature
    for bad in (forged, longer, flipped):
        with pytest.raises(InvalidInput) as exc:
            ecard_code_verify(actor=window, code=_code(bytes(bad)))
        assert exc.value.code == "ECARD_CODE_INVALID"
    assert code_make(card.pk, code_parse(code).issued_at, 60, raw[15:27]) == code  # the layout tested above
    assert not AccessLogEntry.objects.exists() and not EcardCodeUse.objects.exists()


def test_a_code_signed_with_another_key_is_invalid(app, window, card, settings):
    code = ecard_code_issue(actor=app).code
    settings.ECARD_KEY = "another-key"
    with pytest.raises(InvalidInput):
        ecard_code_verify(actor=window, code=code)


def test_a_replayed_code_is_refused(app, window, card, clerk, outlet):
    code = ecard_code_issue(actor=app).code
    ecard_code_verify(actor=window, code=code)
    other_window = Actor.for_staff(f.make_staff("clerk", outlet))
    with pytest.raises(Conflict) as exc:
        ecard_code_verify(actor=other_window, code=code)
    assert exc.value.code == "ECARD_CODE_USED"
    assert EcardCodeUse.objects.count() == 1 and AccessLogEntry.objects.count() == 1
    # a fresh code of the same card is fine
    assert ecard_code_verify(actor=other_window, code=ecard_code_issue(actor=app).code)["person_id"]


@pytest.mark.parametrize("state, code", [("lost", "ECARD_CARD_LOST"), ("lost_temp", "ECARD_CARD_LOST"),
                                         ("cancelled", "ECARD_CARD_CANCELLED"), ("locked", "ECARD_CARD_LOCKED")])
def test_a_card_lost_cancelled_or_locked_after_issue_is_refused(app, window, card, state, code):
    issued = ecard_code_issue(actor=app)
    card.state = state
    card.save(update_fields=["state"])
    with pytest.raises(Refused) as exc:
        ecard_code_verify(actor=window, code=issued.code)
    assert exc.value.code == code
    assert not EcardCodeUse.objects.exists() and not AccessLogEntry.objects.exists()


@pytest.mark.parametrize("state, code", [("lost", "ECARD_CARD_LOST"), ("locked", "ECARD_CARD_LOCKED"),
                                         ("made", "ECARD_CARD_NOT_ACTIVE")])
def test_no_code_is_issued_for_an_unusable_card(app, adult, state, code):
    f.make_card(adult, state=state)
    with pytest.raises(Refused) as exc:
        ecard_code_issue(actor=app)
    assert exc.value.code == code


def test_no_code_without_a_live_card(app, adult):
    f.make_card(adult, state="cancelled")
    with pytest.raises(NotFound) as exc:
        ecard_code_issue(actor=app)
    assert exc.value.code == "ECARD_NO_CARD"


def test_other_channels_are_refused(app, window, card, staff_api, kiosk):
    with pytest.raises(Forbidden):
        ecard_code_issue(actor=window)
    with pytest.raises(Forbidden):
        ecard_code_issue(actor=Actor.for_kiosk(kiosk))
    code = ecard_code_issue(actor=app).code
    with pytest.raises(Forbidden):
        ecard_code_verify(actor=app, code=code)  # the holder cannot "verify" their own code
    hotline = Actor.for_staff(f.make_staff("hotline"))
    with pytest.raises(Forbidden):
        ecard_code_verify(actor=hotline, code=code)
    assert not EcardCodeUse.objects.exists()


def test_expired_uses_are_purged(app, window, card):
    ecard_code_verify(actor=window, code=ecard_code_issue(actor=app).code)
    assert ecard_code_uses_purge() == 0
    clock.advance(dt.timedelta(days=1, minutes=2))
    fresh = ecard_code_issue(actor=app).code
    ecard_code_verify(actor=window, code=fresh)
    assert ecard_code_uses_purge() == 1
    assert EcardCodeUse.objects.get().nonce == code_parse(fresh).nonce


def test_the_purge_command(app, window, card):
    ecard_code_verify(actor=window, code=ecard_code_issue(actor=app).code)
    clock.advance(dt.timedelta(hours=3))
    out = io.StringIO()
    call_command("purge_ecard_code_uses", "--older-than-hours", "2", stdout=out)
    assert "deleted 1 " in out.getvalue() and not EcardCodeUse.objects.exists()
