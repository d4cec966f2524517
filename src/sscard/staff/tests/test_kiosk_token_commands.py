"""``create_kiosk_token`` and ``rotate_kiosk_token``: expiry, rotation with and without a grace period."""

import datetime as dt
import io

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.staff.models import ApiToken
from sscard.testing import factories as f

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("token_lifetimes")]

T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 9, 0))


def run(*args) -> str:
    out = io.StringIO()
    call_command(*args, stdout=out, stderr=io.StringIO())
    return out.getvalue().strip()


def works(token: str) -> bool:
    return f.ApiClient(token).get("/auth/me").status_code == 200


def test_create_gives_a_token_with_the_default_expiry(kiosk):
    clock.freeze(T0)
    token = run("create_kiosk_token", kiosk.code)
    assert works(token)
    expires_at = ApiToken.objects.get(token_hash=ApiToken.hash_token(token)).expires_at
    assert expires_at == T0 + dt.timedelta(days=90)
    assert AuditEvent.objects.filter(event_type="KIOSK_TOKEN_ISSUED", subject_id=str(kiosk.pk)).count() == 1


def test_rotate_revokes_the_earlier_tokens_at_once(kiosk):
    old = run("create_kiosk_token", kiosk.code)
    new = run("rotate_kiosk_token", kiosk.code)
    assert works(new) and not works(old)
    assert ApiToken.objects.get(token_hash=ApiToken.hash_token(old)).revoked_reason == "rotated"
    event = AuditEvent.objects.get(event_type="KIOSK_TOKEN_ROTATED")
    assert (event.subject_id, event.data["earlier_tokens"], event.data["grace_minutes"]) == (
        str(kiosk.pk), 1, 0)


def test_rotate_with_a_grace_period_keeps_the_old_token_that_long(kiosk):
    clock.freeze(T0)
    old = run("create_kiosk_token", kiosk.code)
    new = run("rotate_kiosk_token", kiosk.code, "--grace-minutes", "30", "--days", "30")
    assert ApiToken.objects.get(token_hash=ApiToken.hash_token(new)).expires_at == T0 + dt.timedelta(days=30)
    clock.advance(dt.timedelta(minutes=29))
    assert works(old) and works(new)
    clock.advance(dt.timedelta(minutes=2))
    assert not works(old) and works(new)


def test_rotate_refuses_a_disabled_or_unknown_kiosk_and_bad_numbers(kiosk):
    with pytest.raises(CommandError, match="未找到"):
        run("rotate_kiosk_token", "K-NONE")
    with pytest.raises(CommandError, match="--days"):
        run("rotate_kiosk_token", kiosk.code, "--days", "0")
    kiosk.is_active = False
    kiosk.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="已停用"):
        run("rotate_kiosk_token", kiosk.code)
    assert not ApiToken.objects.exists()
    assert not AuditEvent.objects.filter(event_type="KIOSK_TOKEN_ROTATED").exists()
