"""Configuration edited in the admin writes audit events (fee schedule, outlets)."""

import pytest
from django.contrib.auth import get_user_model

from sscard.audit.models import AuditEvent
from sscard.fees.models import FeeRule
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("root-admin", password="x-pass-123456")
    client.force_login(user)
    return client


def test_fee_change_in_the_admin_is_audited(admin_client):
    rule = FeeRule.objects.get(business="reissue", reason="lost")
    url = f"/admin/fees/feerule/{rule.pk}/change/"
    resp = admin_client.post(url, {"business": "reissue", "reason": "lost", "amount_fen": 2500, "note": rule.note,
                                   "is_active": "on"})
    assert resp.status_code == 302, resp.content[:500]
    event = AuditEvent.objects.get(event_type="CONFIG_CHANGED", subject_type="fees.feerule")
    assert (event.before, event.after) == ({"amount_fen": 2000}, {"amount_fen": 2500})
    assert event.actor_name == "root-admin" and event.subject_id == str(rule.pk)
    assert audit_log_verified()[0]


def test_outlet_issuance_status_change_is_audited(admin_client):
    outlet = f.make_outlet()
    url = f"/admin/staff/outlet/{outlet.pk}/change/"
    data = {"code": outlet.code, "name": outlet.name, "district": outlet.district, "level": outlet.level,
            "has_signature_pad": "on", "has_digital_archive": "on", "issuance_status": "device_failed",
            "accepts_pickup": "on", "is_active": "on"}
    resp = admin_client.post(url, data)
    assert resp.status_code == 302, resp.content[:800]
    event = AuditEvent.objects.get(event_type="CONFIG_CHANGED", subject_type="staff.outlet")
    assert event.after == {"issuance_status": "device_failed"} and event.before == {"issuance_status": "working"}


def test_updated_at_follows_the_injectable_clock():
    import datetime as dt

    from sscard.core import clock

    at = dt.datetime(2026, 1, 5, 2, 0, tzinfo=dt.UTC)
    clock.freeze(at)
    rule = FeeRule.objects.get(business="reissue", reason="lost")
    rule.save()
    rule.refresh_from_db()
    assert rule.updated_at == at
