"""staff.outlets: the issuance device switch and an outlet's settings, each checked, locked and audited."""

import pytest

from sscard.audit.models import AuditEvent
from sscard.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from sscard.staff.actors import Actor
from sscard.staff.outlets import outlet_issuance_status_set, outlet_settings_change
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified

pytestmark = pytest.mark.django_db


def actor(role: str, outlet_id=None) -> Actor:
    return Actor(kind="staff", role=role, name=f"{role}-甲", channel="back_office", outlet_id=outlet_id, staff_id=3)


SUPERVISOR = actor("supervisor")


def test_a_failed_device_is_set_working_again_with_before_and_after():
    outlet = f.make_outlet(issuance_status="device_failed")
    result = outlet_issuance_status_set(actor=SUPERVISOR, outlet_id=outlet.pk, status="working", note=" 已修复 ")
    outlet.refresh_from_db()
    assert result.issuance_status == outlet.issuance_status == "working"
    event = AuditEvent.objects.get(event_type="OUTLET_ISSUANCE_STATUS_CHANGED")
    assert (event.before, event.after) == ({"issuance_status": "device_failed"}, {"issuance_status": "working"})
    assert event.data == {"note": "已修复", "outlet_code": outlet.code, "via": "page"}
    assert (event.subject_type, event.outlet_id, event.actor_name) == ("staff.outlet", outlet.pk, "supervisor-甲")
    assert audit_log_verified()[0]


def test_a_failure_needs_a_note_and_the_status_must_be_known():
    outlet = f.make_outlet()
    with pytest.raises(InvalidInput) as exc:
        outlet_issuance_status_set(actor=SUPERVISOR, outlet_id=outlet.pk, status="network_failed", note="  ")
    assert exc.value.code == "ISSUANCE_NOTE_INVALID" and exc.value.details == {"field": "note"}
    with pytest.raises(InvalidInput) as exc:
        outlet_issuance_status_set(actor=SUPERVISOR, outlet_id=outlet.pk, status="broken", note="x")
    assert exc.value.code == "ISSUANCE_STATUS_INVALID"
    with pytest.raises(InvalidInput):
        outlet_issuance_status_set(actor=SUPERVISOR, outlet_id=outlet.pk, status="device_failed", note="长" * 201)
    outlet.refresh_from_db()
    assert outlet.issuance_status == "working" and not AuditEvent.objects.exists()


def test_the_same_status_again_is_refused_and_unknown_outlets_are_not_found():
    outlet = f.make_outlet()
    with pytest.raises(Conflict) as exc:
        outlet_issuance_status_set(actor=SUPERVISOR, outlet_id=outlet.pk, status="working")
    assert exc.value.code == "ISSUANCE_STATUS_UNCHANGED" and outlet.name in exc.value.message
    for bad in (999999, "abc", None, -1):
        with pytest.raises(NotFound):
            outlet_issuance_status_set(actor=SUPERVISOR, outlet_id=bad, status="device_failed", note="x")
    assert not AuditEvent.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "reviewer", "auditor", "hotline"])
def test_only_the_back_office_sets_a_device(role):
    outlet = f.make_outlet(issuance_status="device_failed")
    with pytest.raises(Forbidden):
        outlet_issuance_status_set(actor=actor(role, outlet.pk), outlet_id=outlet.pk, status="working")
    outlet.refresh_from_db()
    assert outlet.issuance_status == "device_failed"
    outlet_issuance_status_set(actor=actor("admin"), outlet_id=outlet.pk, status="working")


def test_settings_change_saves_and_audits_only_what_changed():
    outlet = f.make_outlet()
    _, changed = outlet_settings_change(actor=SUPERVISOR, outlet_id=outlet.pk, has_signature_pad=True,
                                        accepts_pickup=False)
    assert changed == {"accepts_pickup": False}
    outlet.refresh_from_db()
    assert not outlet.accepts_pickup and outlet.has_signature_pad
    event = AuditEvent.objects.get()
    assert (event.event_type, event.before, event.after) == ("CONFIG_CHANGED", {"accepts_pickup": True},
                                                            {"accepts_pickup": False})
    assert outlet_settings_change(actor=SUPERVISOR, outlet_id=outlet.pk, accepts_pickup=False)[1] == {}
    assert AuditEvent.objects.count() == 1


def test_settings_change_refuses_other_fields_values_and_roles():
    outlet = f.make_outlet()
    for values in ({"issuance_status": "working"}, {"is_active": "no"}, {"code": "X"}):
        with pytest.raises(InvalidInput) as exc:
            outlet_settings_change(actor=SUPERVISOR, outlet_id=outlet.pk, **values)
        assert exc.value.code == "OUTLET_SETTING_INVALID"
    with pytest.raises(Forbidden):
        outlet_settings_change(actor=actor("auditor"), outlet_id=outlet.pk, is_active=False)
    outlet.refresh_from_db()
    assert outlet.is_active and not AuditEvent.objects.exists()
