"""Sign-in lockout per account and per address (django-axes, ``sscard.staff.lockout``), the audit of failed
and locked sign-ins, and the same answer (message and work) for an unknown account and a wrong password."""

import datetime as dt
import time

import pytest
from axes.models import AccessAttempt
from django.contrib.auth.hashers import PBKDF2PasswordHasher
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.staff.models import ApiToken
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

STAFF = "/auth/staff-token"
CITIZEN = "/auth/citizen-token"


def staff_try(username, password, address="127.0.0.1"):
    api = f.ApiClient()
    return api.client.post(f"/api/v1{STAFF}", data={"username": username, "password": password},
                           content_type="application/json", REMOTE_ADDR=address)


def citizen_try(id_number, password, address="127.0.0.1"):
    api = f.ApiClient()
    return api.client.post(f"/api/v1{CITIZEN}", data={"id_number": id_number, "password": password},
                           content_type="application/json", REMOTE_ADDR=address)


def cool_off_passes():
    """Axes reads Django's clock, not ours: age the counted failures past the 30-minute cool-off instead."""
    AccessAttempt.objects.update(attempt_time=timezone.now() - dt.timedelta(minutes=31))


def test_thirty_wrong_passwords_lock_the_clerk_and_the_right_one_is_refused_until_the_cool_off(clerk):
    codes = [staff_try(clerk.user.username, f"wrong-{i}").json()["code"] for i in range(30)]
    assert codes[:4] == ["SIGN_IN_FAILED"] * 4
    assert codes[4:] == ["SIGN_IN_LOCKED"] * 26
    res = staff_try(clerk.user.username, "demo-pass-123")
    assert res.status_code == 429 and res.json()["code"] == "SIGN_IN_LOCKED"
    assert "30 分钟后再试" in res.json()["message"]
    assert not ApiToken.objects.exists()
    failed = AuditEvent.objects.filter(event_type="SIGN_IN_FAILED")
    assert failed.count() == 31
    assert {e.subject_id for e in failed} == {str(clerk.pk)}
    assert failed.filter(data__reason="locked").count() == 26  # the 26 after the lock (the 5th locked it)
    locked = AuditEvent.objects.get(event_type="SIGN_IN_LOCKED_OUT")
    assert locked.data["limit"] == "account" and locked.data["address"] == "127.0.0.1"
    assert locked.actor_kind == "anonymous"

    cool_off_passes()
    res = staff_try(clerk.user.username, "demo-pass-123")
    assert res.status_code == 200, res.content
    assert not AccessAttempt.objects.filter(username=clerk.user.username).exists()


def test_an_unknown_name_locks_exactly_like_a_known_one(clerk):
    known = [staff_try(clerk.user.username, "x").status_code for _ in range(6)]
    unknown = [staff_try("nobody-here", "x").status_code for _ in range(6)]
    assert known == unknown == [401] * 4 + [429] * 2
    messages = {staff_try(name, "x").json()["message"] for name in ("nobody-here", clerk.user.username)}
    assert messages == {"登录失败次数过多，已暂时锁定，请 30 分钟后再试"}


def test_a_success_resets_the_account_count_only(clerk):
    for _ in range(4):
        assert staff_try(clerk.user.username, "wrong").status_code == 401
    assert staff_try(clerk.user.username, "demo-pass-123").status_code == 200
    for _ in range(4):
        assert staff_try(clerk.user.username, "wrong").status_code == 401


def test_an_address_is_locked_at_its_own_higher_limit(settings, outlet):
    settings.SSCARD_SIGNIN_ADDRESS_FAILURE_LIMIT = 8
    victim = f.make_staff("clerk", outlet)
    for i in range(8):  # 8 names, 1 failure each: no account is near its limit of 5
        assert staff_try(f"guess{i}", "x", address="10.1.1.1").status_code == (401 if i < 7 else 429)
    assert staff_try(victim.user.username, "demo-pass-123", address="10.1.1.1").status_code == 429
    assert AuditEvent.objects.get(event_type="SIGN_IN_LOCKED_OUT").data["limit"] == "address"
    assert staff_try(victim.user.username, "demo-pass-123", address="10.2.2.2").status_code == 200


def test_the_citizen_sign_in_locks_and_keeps_no_id_number(citizen, adult):
    codes = [citizen_try(adult.id_number, "wrong").json()["code"] for _ in range(6)]
    assert codes == ["SIGN_IN_FAILED"] * 4 + ["SIGN_IN_LOCKED"] * 2
    assert citizen_try(adult.id_number, "app-pass-123").status_code == 429
    attempts = list(AccessAttempt.objects.values_list("username", "post_data"))
    assert attempts and all(adult.id_number not in str(a) for a in attempts)
    events = AuditEvent.objects.filter(event_type__in=["SIGN_IN_FAILED", "SIGN_IN_LOCKED_OUT"])
    assert events.count() == 8
    assert all(e.person_id == adult.pk and adult.id_number not in str(e.data) for e in events)
    cool_off_passes()
    assert citizen_try(adult.id_number, "app-pass-123").status_code == 200


def test_an_unknown_id_number_and_a_wrong_password_answer_alike(citizen, adult):
    unknown = citizen_try(f.id_number_for(f.adult_birth()), "app-pass-123")
    wrong = citizen_try(adult.id_number, "not-it")
    assert unknown.status_code == wrong.status_code == 401
    assert unknown.json() == wrong.json()


class CountingHasher(PBKDF2PasswordHasher):
    """PBKDF2 that counts its hash computations (each check or make is one ``encode``)."""

    algorithm = "pbkdf2_counting"
    iterations = 1
    calls = 0

    def encode(self, password, salt, iterations=None):
        CountingHasher.calls += 1
        return super().encode(password, salt, iterations)


class SlowHasher(PBKDF2PasswordHasher):
    algorithm = "pbkdf2_slow"
    iterations = 150_000


def _hash_calls(action) -> int:
    CountingHasher.calls = 0
    action()
    return CountingHasher.calls


def test_every_citizen_failure_computes_one_password_hash(settings, adult):
    settings.PASSWORD_HASHERS = [f"{__name__}.CountingHasher"]
    f.make_citizen(adult)
    disabled = f.make_person(id_number=f.id_number_for(f.adult_birth()))
    account = f.make_citizen(disabled)
    account.is_active = False
    account.save(update_fields=["is_active"])
    cases = {
        "unknown": lambda: citizen_try(f.id_number_for(f.adult_birth()), "app-pass-123", address="10.0.0.1"),
        "wrong": lambda: citizen_try(adult.id_number, "not-it", address="10.0.0.2"),
        "disabled": lambda: citizen_try(disabled.id_number, "app-pass-123", address="10.0.0.3"),
        "right": lambda: citizen_try(adult.id_number, "app-pass-123", address="10.0.0.4"),
    }
    assert {name: _hash_calls(call) for name, call in cases.items()} == dict.fromkeys(cases, 1)


def test_an_unknown_id_number_takes_as_long_as_a_known_one(settings, adult):
    settings.PASSWORD_HASHERS = [f"{__name__}.SlowHasher"]
    f.make_citizen(adult)

    def seconds(id_number, address):
        start = time.perf_counter()
        assert citizen_try(id_number, "not-it", address=address).status_code == 401
        return time.perf_counter() - start

    known = sorted(seconds(adult.id_number, f"10.0.1.{i}") for i in range(3))[1]
    unknown = sorted(seconds(f.id_number_for(f.adult_birth()), f"10.0.2.{i}") for i in range(3))[1]
    # before: ~40 ms against ~800 ms; now both compute one hash (the medians, loose for a busy machine)
    assert 0.5 < unknown / known < 2, (unknown, known)
