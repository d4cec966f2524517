"""The 电子社保卡 routes: the app user's code and QR, the window's and kiosk's verification."""

import datetime as dt
import xml.etree.ElementTree as ET

import pytest

from sscard.audit.models import AccessLogEntry
from sscard.cards.models import EcardCodeUse
from sscard.core import clock
from sscard.testing import factories as f
from sscard.testing.races import race

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.timezone.utc)


def test_app_code_then_window_verify(citizen_api, clerk_api, card, adult):
    clock.freeze(T0)
    resp = citizen_api.post("/ecard/code")
    assert resp.status_code == 200, resp.content
    body = resp.json()
    assert dt.datetime.fromisoformat(body["expires_at"]) == T0 + dt.timedelta(seconds=60)
    svg = ET.fromstring(body["qr_svg"].encode())  # a well-formed SVG document
    assert svg.tag.endswith("svg") and len(svg.findall(".//{*}rect")) > 100  # the QR's modules
    resp = clerk_api.post("/ecard/verify", {"code": body["code"]})
    assert resp.status_code == 200, resp.content
    assert resp.json()["person_id"] == adult.pk
    assert resp.json()["card_no_masked"] == body["card_no_masked"] != card.card_no
    assert AccessLogEntry.objects.filter(operation="ecard.code_verify", person_id=adult.pk).count() == 1
    again = clerk_api.post("/ecard/verify", {"code": body["code"]})
    assert (again.status_code, again.json()["code"]) == (409, "ECARD_CODE_USED")


def test_kiosk_verifies_and_expiry_is_422(citizen_api, kiosk_api, card):
    clock.freeze(T0)
    code = citizen_api.post("/ecard/code").json()["code"]
    clock.advance(dt.timedelta(seconds=61))
    resp = kiosk_api.post("/ecard/verify", {"code": code})
    assert (resp.status_code, resp.json()["code"]) == (422, "ECARD_CODE_EXPIRED")
    clock.freeze(T0)
    code = citizen_api.post("/ecard/code").json()["code"]
    assert kiosk_api.post("/ecard/verify", {"code": code}).status_code == 200


@pytest.mark.parametrize("body, code", [({"code": "garbled"}, "ECARD_CODE_INVALID"),
                                        ({"code": "EC1" + "Z" * 95}, "ECARD_CODE_INVALID"),
                                        ({"code": "x" * 201}, "INPUT_INVALID"),
                                        ({"code": 12}, "INPUT_INVALID"),
                                        ({}, "INPUT_INVALID"),
                                        ({"code": "a", "extra": 1}, "INPUT_INVALID")])
def test_garbled_bodies_are_400(clerk_api, body, code):
    resp = clerk_api.post("/ecard/verify", body)
    assert (resp.status_code, resp.json()["code"]) == (400, code)
    assert not AccessLogEntry.objects.exists()


def test_other_callers_are_refused(citizen_api, clerk_api, kiosk_api, staff_api, card):
    assert clerk_api.post("/ecard/code").status_code == 403
    assert kiosk_api.post("/ecard/code").status_code == 403
    code = citizen_api.post("/ecard/code").json()["code"]
    assert citizen_api.post("/ecard/verify", {"code": code}).status_code == 403
    assert staff_api("reviewer").post("/ecard/verify", {"code": code}).status_code == 403
    assert f.ApiClient().post("/ecard/verify", {"code": code}).status_code == 401
    assert not EcardCodeUse.objects.exists()


def test_a_lost_card_is_refused(citizen_api, clerk_api, card):
    code = citizen_api.post("/ecard/code").json()["code"]
    card.state = "lost"
    card.save(update_fields=["state"])
    resp = clerk_api.post("/ecard/verify", {"code": code})
    assert (resp.status_code, resp.json()["code"]) == (422, "ECARD_CARD_LOST")
    assert (citizen_api.post("/ecard/code").json()["code"]) == "ECARD_CARD_LOST"


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_two_windows_verifying_one_code_at_once_one_wins(citizen, card, outlet):
    code = f.ApiClient(f.token_for(citizen=citizen)).post("/ecard/code").json()["code"]
    tokens = [f.token_for(staff=f.make_staff("clerk", outlet)) for _ in range(2)]
    answers = race(*[(t, "/ecard/verify", {"code": code}, None) for t in tokens])
    assert sorted(a.status for a in answers) == [200, 409]
    assert [a.body["code"] for a in answers if a.status == 409] == ["ECARD_CODE_USED"]
    assert EcardCodeUse.objects.count() == 1
    assert AccessLogEntry.objects.filter(operation="ecard.code_verify").count() == 1
