"""load_demo_data: idempotent, every role, the three kinds of outlet, cards in their demo states."""

import io

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.core.management.base import CommandError

from sscard.cards.models import Card, CardStateChange
from sscard.demo.management.commands.load_demo_data import (
    CITIZENS,
    STAFF_PASSWORD,
    demo_id_number,
)
from sscard.people.idnumbers import parse_identity
from sscard.people.models import Person
from sscard.staff.choices import StaffRole
from sscard.staff.models import (
    ApiToken,
    CitizenAccount,
    KioskDevice,
    Outlet,
    StaffMember,
)
from sscard.testing import factories as f
from sscard.testing.audit import audit_log_verified

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _debug_on(settings):
    """pytest-django runs with DEBUG off; the demo loader is meant for a development (DEBUG) setup."""
    settings.DEBUG = True
    # 13 demo passwords: a fast hasher keeps these tests quick (production keeps Django's default).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def _load() -> str:
    out = io.StringIO()
    call_command("load_demo_data", stdout=out)
    return out.getvalue()


def _counts():
    return (Outlet.objects.count(), StaffMember.objects.count(), KioskDevice.objects.count(),
            Person.objects.count(), CitizenAccount.objects.count(), Card.objects.count(),
            CardStateChange.objects.count(), get_user_model().objects.count())


def test_runs_twice_without_duplicating_anything():
    first = _load()
    counts = _counts()
    second = _load()
    assert _counts() == counts
    assert "outlets+3" in first and "outlets+0" in second and "cards+0" in second
    assert audit_log_verified()[0]


def test_every_staff_role_exists_and_admin_is_superuser():
    _load()
    roles = set(StaffMember.objects.values_list("role", flat=True))
    assert roles == set(StaffRole.values)
    admin = get_user_model().objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff
    for outlet in Outlet.objects.all():
        assert StaffMember.objects.filter(role="clerk", outlet=outlet).exists()


def test_outlets_cover_pad_archive_and_failed_device():
    _load()
    township = Outlet.objects.get(level="township")
    assert not township.has_signature_pad and not township.has_digital_archive
    assert Outlet.objects.filter(level="district", has_signature_pad=True, has_digital_archive=True,
                                 issuance_status="working").exists()
    assert Outlet.objects.filter(issuance_status="device_failed").count() == 1


def test_cards_are_in_their_demo_states_with_logged_changes():
    _load()
    states = sorted(Card.objects.values_list("state", flat=True))
    assert states == ["active", "locked", "lost_temp", "made"]
    lost = Card.objects.get(state="lost_temp")
    assert lost.temp_loss_expires_at is not None
    assert list(lost.changes.values_list("event", flat=True)) == ["activate", "report_loss_temp"]
    assert Card.objects.get(state="locked").pin_failures >= 1


def test_demo_id_numbers_are_valid():
    for _name, gender, birth, area, seq, _state in CITIZENS:
        ident = parse_identity("id_card", demo_id_number(birth, area, seq, gender), today=f.adult_birth().replace(
            year=2026))
        assert ident.birth_date == birth and ident.gender == gender


def test_printed_logins_work_against_the_api():
    out = _load()
    assert "clerk_yz" in out and STAFF_PASSWORD in out and "app-pass-123" in out
    res = f.ApiClient().post("/auth/staff-token", {"username": "clerk_wz", "password": STAFF_PASSWORD})
    assert res.status_code == 200 and res.json()["outlet"]["code"] == "CQ-WZ-T01"
    name, gender, birth, area, seq, _ = CITIZENS[0]
    res = f.ApiClient().post("/auth/citizen-token", {"id_number": demo_id_number(birth, area, seq, gender),
                                                     "password": "app-pass-123"})
    assert res.status_code == 200
    kiosk_line = next(line for line in out.splitlines() if line.strip().startswith("K-YZ-01"))
    me = f.ApiClient(kiosk_line.split()[-1]).get("/auth/me").json()
    assert me["kind"] == "kiosk" and me["name"] == "K-YZ-01"


def test_refused_when_debug_is_off_unless_forced(settings):
    settings.DEBUG = False
    with pytest.raises(CommandError, match="SSCARD_DEBUG"):
        _load()
    assert not Outlet.objects.exists()
    call_command("load_demo_data", "--force", stdout=io.StringIO())
    assert Outlet.objects.count() == 3


def test_create_kiosk_token_prints_a_working_token():
    _load()
    out, err = io.StringIO(), io.StringIO()
    call_command("create_kiosk_token", "K-WZ-01", "--days", "30", stdout=out, stderr=err)
    raw = out.getvalue().strip()
    row = ApiToken.objects.get(token_hash=ApiToken.hash_token(raw))
    assert row.kind == "kiosk" and row.kiosk.code == "K-WZ-01" and row.expires_at is not None
    assert f.ApiClient(raw).get("/auth/me").json()["channel"] == "kiosk"
    assert "K-WZ-01" in err.getvalue()


def test_create_kiosk_token_refuses_unknown_and_inactive_kiosks(outlet):
    with pytest.raises(CommandError, match="未找到"):
        call_command("create_kiosk_token", "K-NONE", stdout=io.StringIO(), stderr=io.StringIO())
    kiosk = f.make_kiosk(outlet, code="K-OFF")
    kiosk.is_active = False
    kiosk.save(update_fields=["is_active"])
    with pytest.raises(CommandError, match="已停用"):
        call_command("create_kiosk_token", "K-OFF", stdout=io.StringIO(), stderr=io.StringIO())
    assert not ApiToken.objects.exists()


def test_demo_employer_with_a_handler_for_batches():
    from sscard.employers.models import Employer, EmployerHandler

    out = _load()
    _load()
    employer = Employer.objects.get()
    handler = EmployerHandler.objects.get(employer=employer)
    assert handler.is_active and handler.person.name == CITIZENS[0][0]
    assert employer.uscc in out and "employers+1" in out


def test_persons_cards_and_the_employer_are_made_through_the_services():
    from sscard.audit.models import AuditEvent

    _load()
    types = list(AuditEvent.objects.values_list("event_type", flat=True))
    cards = Card.objects.count()
    assert types.count("PERSON_CREATED") == len(CITIZENS)
    assert types.count("CARD_MADE") == cards and types.count("CARD_HANDED_OVER") == cards
    assert types.count("EMPLOYER_REGISTERED") == 1 and types.count("EMPLOYER_HANDLER_ADDED") == 1
    registered = AuditEvent.objects.get(event_type="EMPLOYER_REGISTERED")
    assert (registered.actor_kind, registered.actor_role) == ("staff", "clerk")


def test_a_12333_work_item_waits_at_the_yuzhong_outlet_once():
    from sscard.desk.models import WorkItem

    out = _load()
    _load()
    item = WorkItem.objects.select_related("outlet", "person", "created_by").get()
    assert (item.state, item.outlet.code, item.person.name, item.created_by.role) == (
        "open", "CQ-YZ-001", CITIZENS[1][0], "hotline")
    assert item.work_item_no in out and "work_items+1" in out
