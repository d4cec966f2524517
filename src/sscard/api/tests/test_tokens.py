"""API tokens: idle timeout, the last use written at most once a minute, one live token per holder,
sign-out and revoke-all, kiosk tokens' expiry (``sscard.staff.tokens``), on the fixed clock."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken
from sscard.staff.tokens import kiosk_token_issue
from sscard.testing import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("token_lifetimes")]

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def staff_token(clerk) -> str:
    res = f.ApiClient().post("/auth/staff-token",
                             {"username": clerk.user.username, "password": "demo-pass-123"})
    assert res.status_code == 200, res.content
    return res.json()["token"]


def row(token: str) -> ApiToken:
    return ApiToken.objects.get(token_hash=ApiToken.hash_token(token))


def test_a_token_ends_after_30_idle_minutes_and_each_use_restarts_the_clock(clerk):
    clock.freeze(T0)
    api = f.ApiClient(staff_token(clerk))
    for _ in range(4):
        clock.advance(dt.timedelta(minutes=29))
        assert api.get("/auth/me").status_code == 200
    clock.advance(dt.timedelta(minutes=30))
    assert api.get("/auth/me").status_code == 401


def test_the_idle_timeout_and_the_lifetime_are_settings(settings, clerk):
    settings.SSCARD_TOKEN_IDLE_MINUTES = 5
    settings.SSCARD_TOKEN_LIFETIME_HOURS = 1
    clock.freeze(T0)
    token = staff_token(clerk)
    assert row(token).expires_at == T0 + dt.timedelta(hours=1)
    api = f.ApiClient(token)
    clock.advance(dt.timedelta(minutes=6))
    assert api.get("/auth/me").status_code == 401


def test_the_last_use_is_written_at_most_once_a_minute(clerk):
    clock.freeze(T0)
    token = staff_token(clerk)
    api = f.ApiClient(token)
    clock.advance(dt.timedelta(seconds=50))
    with CaptureQueriesContext(connection) as quiet:
        assert api.get("/auth/me").status_code == 200
    assert row(token).last_used_at is None
    assert not [q for q in quiet.captured_queries if q["sql"].startswith("UPDATE")]
    clock.advance(dt.timedelta(seconds=20))
    with CaptureQueriesContext(connection) as touched:
        assert api.get("/auth/me").status_code == 200
    assert row(token).last_used_at == T0 + dt.timedelta(seconds=70)
    assert len([q for q in touched.captured_queries if q["sql"].startswith("UPDATE")]) == 1


def test_a_new_sign_in_revokes_the_earlier_token_of_the_same_holder(clerk, citizen, adult):
    first, second = staff_token(clerk), staff_token(clerk)
    assert f.ApiClient(first).get("/auth/me").status_code == 401
    assert f.ApiClient(second).get("/auth/me").status_code == 200
    assert (row(first).revoked, row(first).revoked_reason) == (True, "replaced")

    body = {"id_number": adult.id_number, "password": "app-pass-123"}
    app = [f.ApiClient().post("/auth/citizen-token", body).json()["token"] for _ in range(2)]
    assert [f.ApiClient(t).get("/auth/me").status_code for t in app] == [401, 200]
    assert f.ApiClient(second).get("/auth/me").status_code == 200  # another holder's token is untouched


def test_sign_out_revokes_the_token_it_is_called_with_and_is_audited(clerk):
    other = f.token_for(staff=clerk)
    token = staff_token(clerk)
    api = f.ApiClient(token)
    res = api.post("/auth/sign-out")
    assert res.status_code == 200 and res.json() == {"revoked": 1}
    assert api.get("/auth/me").status_code == 401
    assert (row(token).revoked_reason, row(token).revoked_at is not None) == ("sign_out", True)
    event = AuditEvent.objects.get(event_type="API_TOKEN_REVOKED")
    assert (event.subject_id, event.data["count"], event.data["everywhere"]) == (str(clerk.pk), 1, False)
    assert api.post("/auth/sign-out").status_code == 401
    assert row(other).revoked  # replaced by the sign-in above, not by the sign-out


def test_revoke_all_ends_every_token_of_the_caller(citizen, kiosk):
    tokens = [f.token_for(citizen=citizen) for _ in range(3)]
    kiosk_token = f.token_for(kiosk=kiosk)
    res = f.ApiClient(tokens[0]).post("/auth/revoke-all")
    assert res.status_code == 200 and res.json() == {"revoked": 3}
    assert [f.ApiClient(t).get("/auth/me").status_code for t in tokens] == [401] * 3
    assert f.ApiClient(kiosk_token).get("/auth/me").status_code == 200
    assert AuditEvent.objects.get(event_type="API_TOKEN_REVOKED").person_id == citizen.person_id


def test_sign_out_needs_a_token(db):
    assert f.ApiClient().post("/auth/sign-out").status_code == 401
    assert f.ApiClient().post("/auth/revoke-all").status_code == 401


def test_a_kiosk_token_expires_after_its_days_and_has_no_idle_timeout(kiosk):
    clock.freeze(T0)
    token = kiosk_token_issue(actor=Actor.system("test"), kiosk=kiosk)
    assert row(token).expires_at == T0 + dt.timedelta(days=90)
    api = f.ApiClient(token)
    clock.advance(dt.timedelta(days=89, hours=23))  # idle all that time
    assert api.get("/auth/me").status_code == 200
    clock.advance(dt.timedelta(hours=2))
    assert api.get("/auth/me").status_code == 401


def test_a_kiosk_token_never_outlives_the_setting(kiosk):
    clock.freeze(T0)
    token = kiosk_token_issue(actor=Actor.system("test"), kiosk=kiosk, lifetime=dt.timedelta(days=3650))
    assert row(token).expires_at == T0 + dt.timedelta(days=90)


def test_a_token_without_an_expiry_ends_with_its_kinds_lifetime(clerk):
    clock.freeze(T0)
    token = f.token_for(staff=clerk)  # as rows made before lifetimes existed
    api = f.ApiClient(token)
    for _ in range(35):  # 11 h 40 min of use
        clock.advance(dt.timedelta(minutes=20))
        assert api.get("/auth/me").status_code == 200
    clock.advance(dt.timedelta(minutes=20))  # 12 h after it was issued
    assert api.get("/auth/me").status_code == 401
