"""Idempotency-Key on API POSTs: a repeated request has one effect; a reused key with another body is refused."""

import pytest

from sscard.audit.models import AccessLogEntry, AuditEvent
from sscard.core.models import IdempotencyRecord
from sscard.staff.models import ApiToken
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


def _sign_in(clerk, key, password="demo-pass-123"):
    return f.ApiClient().post("/auth/staff-token", {"username": clerk.user.username, "password": password},
                              headers={"Idempotency-Key": key})


def test_same_post_twice_with_same_key_has_one_effect(clerk):
    first = _sign_in(clerk, "sign-in-0001")
    second = _sign_in(clerk, "sign-in-0001")
    assert first.status_code == second.status_code == 200
    assert second.json()["token"] == first.json()["token"]
    assert second["Idempotent-Replay"] == "true"
    assert not first.has_header("Idempotent-Replay")
    assert ApiToken.objects.count() == 1
    assert AuditEvent.objects.filter(event_type="STAFF_SIGNED_IN").count() == 1
    assert IdempotencyRecord.objects.count() == 1


def test_without_a_key_each_post_acts(clerk):
    f.ApiClient().post("/auth/staff-token", {"username": clerk.user.username, "password": "demo-pass-123"})
    f.ApiClient().post("/auth/staff-token", {"username": clerk.user.username, "password": "demo-pass-123"})
    assert ApiToken.objects.count() == 2


def test_different_keys_act_separately(clerk):
    _sign_in(clerk, "sign-in-0001")
    _sign_in(clerk, "sign-in-0002")
    assert ApiToken.objects.count() == 2


def test_same_key_with_another_body_is_422(clerk_api, adult):
    f.make_card(adult)
    body = {"applicant": {"doc_type": "id_card", "number": adult.id_number}}
    first = clerk_api.post("/cards/status-query", body, headers={"Idempotency-Key": "query-0003"})
    assert first.status_code == 200, first.json()
    other = {"applicant": {"doc_type": "id_card", "number": f.make_person(name="李四").id_number}}
    res = clerk_api.post("/cards/status-query", other, headers={"Idempotency-Key": "query-0003"})
    assert res.status_code == 422
    assert res.json()["code"] == "IDEMPOTENCY_KEY_REUSED"
    assert "Idempotency-Key" in res.json()["message"]
    assert AccessLogEntry.objects.count() == 1  # the query is a read: one access-log row, no audit event


def test_signed_out_callers_never_share_a_key(clerk):
    """Sign-in has no credential: two different sign-ins with one key each act (no cross-caller replay)."""
    assert _sign_in(clerk, "sign-in-0003").status_code == 200
    assert _sign_in(clerk, "sign-in-0003", password="other-pass").status_code == 401
    assert ApiToken.objects.count() == 1
    assert IdempotencyRecord.objects.count() == 2


@pytest.mark.parametrize("key", ["short", "has space in it", "x" * 101, "中文键名中文键名"])
def test_malformed_key_is_400(clerk, key):
    res = f.ApiClient().post("/auth/staff-token", {"username": clerk.user.username, "password": "demo-pass-123"},
                             headers={"Idempotency-Key": key.encode("utf-8").decode("latin-1")})
    assert res.status_code == 400
    assert res.json()["code"] == "IDEMPOTENCY_KEY_INVALID"
    assert not ApiToken.objects.exists()


def test_refusal_is_replayed_too(clerk):
    first = _sign_in(clerk, "sign-in-0004", password="wrong")
    second = _sign_in(clerk, "sign-in-0004", password="wrong")
    assert first.status_code == second.status_code == 401
    assert second["Idempotent-Replay"] == "true"


def test_same_key_from_another_caller_is_its_own(clerk, clerk_api, kiosk_api):
    """The key is scoped by the caller's credential: two callers may pick the same key."""
    body = {"username": clerk.user.username, "password": "demo-pass-123"}
    a = clerk_api.post("/auth/staff-token", body, headers={"Idempotency-Key": "shared-key-1"})
    b = kiosk_api.post("/auth/staff-token", body, headers={"Idempotency-Key": "shared-key-1"})
    assert a.status_code == b.status_code == 200
    assert a.json()["token"] != b.json()["token"]
    assert not b.has_header("Idempotent-Replay")
