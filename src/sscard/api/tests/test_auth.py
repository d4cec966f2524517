"""Sign-in (staff and app users), token expiry and revocation, and /auth/me for every kind of caller."""

import datetime as dt

import pytest
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.staff.models import ApiToken
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def test_staff_sign_in_returns_a_token_that_works(clerk, outlet):
    res = f.ApiClient().post("/auth/staff-token", {"username": clerk.user.username, "password": "demo-pass-123"})
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["kind"] == "staff" and body["role"] == "clerk" and body["channel"] == "window"
    assert body["outlet"]["code"] == outlet.code
    assert body["token_type"] == "Bearer" and len(body["token"]) > 30
    row = ApiToken.objects.get(token_hash=ApiToken.hash_token(body["token"]))
    assert row.staff_id == clerk.pk and row.kind == "staff"
    assert AuditEvent.objects.filter(event_type="STAFF_SIGNED_IN", subject_id=str(clerk.pk)).count() == 1

    me = f.ApiClient(body["token"]).get("/auth/me")
    assert me.status_code == 200
    assert me.json()["username"] == clerk.user.username


def test_staff_sign_in_wrong_password_is_401_in_chinese(clerk):
    res = f.ApiClient().post("/auth/staff-token", {"username": clerk.user.username, "password": "wrong-pass"})
    assert res.status_code == 401
    assert res.json()["code"] == "SIGN_IN_FAILED"
    assert res.json()["message"] == "用户名或密码错误"
    assert not ApiToken.objects.exists()


def test_staff_sign_in_unknown_user_is_401(db):
    res = f.ApiClient().post("/auth/staff-token", {"username": "nobody", "password": "x"})
    assert res.status_code == 401 and res.json()["code"] == "SIGN_IN_FAILED"


def test_staff_sign_in_missing_field_is_400(db):
    res = f.ApiClient().post("/auth/staff-token", {"username": "clerk"})
    assert res.status_code == 400
    assert res.json()["code"] == "INPUT_INVALID" and "password" in res.json()["message"]


def test_user_without_staff_record_cannot_sign_in(db):
    from django.contrib.auth import get_user_model

    get_user_model().objects.create_user(username="plain", password="demo-pass-123")
    res = f.ApiClient().post("/auth/staff-token", {"username": "plain", "password": "demo-pass-123"})
    assert res.status_code == 401


def test_citizen_sign_in_with_id_number_and_password(citizen, adult):
    res = f.ApiClient().post("/auth/citizen-token", {"id_number": adult.id_number, "password": "app-pass-123"})
    assert res.status_code == 200, res.content
    body = res.json()
    assert body["kind"] == "citizen" and body["channel"] == "app" and body["outlet"] is None
    me = f.ApiClient(body["token"]).get("/auth/me").json()
    assert me["kind"] == "citizen" and me["role"] == "citizen" and me["channel"] == "app"
    assert me["name"] == "张*"
    assert me["masked_id_number"] == adult.masked_id_number
    assert adult.id_number not in str(me)


def test_citizen_sign_in_lowercase_x_is_the_same_number(db):
    number = next(n for n in (f.id_number_for(f.adult_birth()) for _ in range(40)) if n.endswith("X"))
    person = f.make_person(id_number=number)
    f.make_citizen(person)
    res = f.ApiClient().post("/auth/citizen-token", {"id_number": number.lower(), "password": "app-pass-123"})
    assert res.status_code == 200, res.content


def test_citizen_sign_in_wrong_password_is_401_in_chinese(citizen, adult):
    res = f.ApiClient().post("/auth/citizen-token", {"id_number": adult.id_number, "password": "nope-nope"})
    assert res.status_code == 401
    body = res.json()
    assert body["message"] == "证件号码或密码错误"
    assert adult.id_number not in res.content.decode()


def test_inactive_citizen_account_cannot_sign_in(citizen, adult):
    citizen.is_active = False
    citizen.save(update_fields=["is_active"])
    res = f.ApiClient().post("/auth/citizen-token", {"id_number": adult.id_number, "password": "app-pass-123"})
    assert res.status_code == 401


def test_token_expires_after_its_lifetime_even_when_used(clerk, token_lifetimes):
    clock.freeze(T0)
    token = f.ApiClient().post("/auth/staff-token",
                               {"username": clerk.user.username, "password": "demo-pass-123"}).json()["token"]
    api = f.ApiClient(token)
    for _ in range(11 * 3 + 2):  # a request every 20 minutes, for 11 h 40 min
        clock.advance(dt.timedelta(minutes=20))
        assert api.get("/auth/me").status_code == 200
    clock.advance(dt.timedelta(minutes=21))  # 12 h 01 min after sign-in
    res = api.get("/auth/me")
    assert res.status_code == 401
    assert res.json()["message"] == "未登录或凭据无效"


def test_revoked_token_is_refused(clerk):
    token = f.ApiClient().post("/auth/staff-token",
                               {"username": clerk.user.username, "password": "demo-pass-123"}).json()["token"]
    api = f.ApiClient(token)
    assert api.get("/auth/me").status_code == 200
    ApiToken.objects.filter(token_hash=ApiToken.hash_token(token)).update(revoked=True)
    assert api.get("/auth/me").status_code == 401


def test_deactivated_staff_user_token_is_refused(clerk, clerk_api):
    assert clerk_api.get("/auth/me").status_code == 200
    clerk.user.is_active = False
    clerk.user.save(update_fields=["is_active"])
    assert clerk_api.get("/auth/me").status_code == 401


def test_me_without_credentials_is_401(db):
    assert f.ApiClient().get("/auth/me").status_code == 401
    assert f.ApiClient("not-a-token").get("/auth/me").status_code == 401


def test_me_for_a_kiosk(kiosk, kiosk_api, outlet):
    me = kiosk_api.get("/auth/me").json()
    assert me == {**me, "kind": "kiosk", "role": "kiosk", "channel": "kiosk", "name": kiosk.code}
    assert me["outlet"]["code"] == outlet.code


@pytest.mark.parametrize("role,channel", [
    ("clerk", "window"), ("hotline", "phone"), ("reviewer", "back_office"), ("supervisor", "back_office"),
    ("auditor", "back_office"), ("admin", "back_office"),
])
def test_me_for_each_staff_role(staff_api, outlet, role, channel):
    me = staff_api(role, outlet if role == "clerk" else None).get("/auth/me").json()
    assert me["kind"] == "staff" and me["role"] == role and me["channel"] == channel
    assert me["role_label"] and me["role_label"] != role
    assert (me["outlet"] or {}).get("code") == (outlet.code if role == "clerk" else None)


def test_sign_in_endpoints_need_no_credentials_and_me_does():
    from sscard.api.root import api

    schema = api.get_openapi_schema()
    paths = schema["paths"]
    assert "security" not in paths["/api/v1/auth/staff-token"]["post"]
    assert "security" not in paths["/api/v1/auth/citizen-token"]["post"]
    assert paths["/api/v1/auth/me"]["get"]["security"]
