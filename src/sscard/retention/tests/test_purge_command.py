"""``manage.py purge_expired [--dry-run]``: what it says and that the dry run changes nothing."""

import datetime as dt
import io

import pytest
from django.core.management import call_command

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.staff.models import ApiToken

pytestmark = pytest.mark.django_db


def _run(*args) -> str:
    out = io.StringIO()
    call_command("purge_expired", *args, stdout=out)
    return out.getvalue()


def test_dry_run_then_run(clerk):
    clock.freeze(dt.datetime(2026, 1, 5, tzinfo=dt.timezone.utc))
    ApiToken.objects.create(token_hash="d" * 64, kind="staff", staff=clerk, created_at=clock.now(),
                            expires_at=clock.now())
    clock.advance(dt.timedelta(days=31))
    text = _run("--dry-run")
    assert "tokens: expired or revoked API tokens: 1 rows due" in text
    assert "audit events older than" in text and "never deleted by the application" in text
    assert ApiToken.objects.count() == 1
    assert not AuditEvent.objects.filter(event_type="RETENTION_PURGED").exists()
    text = _run()
    assert "tokens: expired or revoked API tokens: 1 rows purged, 0 files deleted, 1 chunks" in text
    assert not ApiToken.objects.exists()
    assert "tokens: expired or revoked API tokens: 0 rows purged" in _run()
