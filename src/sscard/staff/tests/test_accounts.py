"""Disabling an account ends its tokens and sessions at once (``sscard.staff.accounts``), by the service and
through the admin's action."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.urls import reverse

from sscard.audit.models import AuditEvent
from sscard.core.errors import Conflict
from sscard.staff.accounts import citizen_account_disable, kiosk_disable, staff_member_disable
from sscard.staff.actors import Actor
from sscard.staff.models import ApiToken, StaffSession
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db

ADMIN = Actor.system("test")


def signed_in_page(staff) -> Client:
    client = Client()
    res = client.post(reverse("web:sign_in"), {"username": staff.user.username, "password": "demo-pass-123"})
    assert res.status_code == 302
    assert client.get(reverse("web:start")).status_code in (200, 302)
    return client


def page_is_signed_in(client) -> bool:
    res = client.get(reverse("web:start"))
    return not (res.status_code == 302 and res["Location"].startswith(reverse("web:sign_in")))


@pytest.fixture
def admin_client(db):
    client = Client()
    client.force_login(get_user_model().objects.create_superuser(username="root", password="demo-pass-123"))
    return client


def test_disabling_a_staff_member_ends_their_tokens_and_sessions_at_once(outlet):
    clerk = f.make_staff("supervisor", outlet)
    api = f.ApiClient(f.token_for(staff=clerk))
    pages = [signed_in_page(clerk), signed_in_page(clerk)]
    assert api.get("/auth/me").status_code == 200 and all(page_is_signed_in(c) for c in pages)
    other = f.make_staff("supervisor", outlet)
    other_page = signed_in_page(other)

    staff_member_disable(actor=ADMIN, staff=clerk)

    assert api.get("/auth/me").status_code == 401
    assert not any(page_is_signed_in(c) for c in pages)
    assert not StaffSession.objects.filter(user=clerk.user).exists()
    assert Session.objects.count() == 1 and page_is_signed_in(other_page)
    assert ApiToken.objects.get(staff=clerk).revoked_reason == "disabled"
    event = AuditEvent.objects.get(event_type="ACCOUNT_DISABLED")
    assert (event.subject_type, event.data["tokens_revoked"], event.data["sessions_ended"]) == ("staff", 1, 2)
    assert signed_in_page_refused(clerk)
    with pytest.raises(Conflict):
        staff_member_disable(actor=ADMIN, staff=clerk)


def signed_in_page_refused(staff) -> bool:
    body = {"username": staff.user.username, "password": "demo-pass-123"}
    return Client().post(reverse("web:sign_in"), body).status_code == 400


def test_signing_out_of_the_page_forgets_the_session(outlet):
    clerk = f.make_staff("clerk", outlet)
    client = signed_in_page(clerk)
    assert StaffSession.objects.filter(user=clerk.user).count() == 1
    client.post(reverse("web:sign_out"))
    assert not StaffSession.objects.exists()


def test_disabling_an_app_account_and_a_kiosk_revokes_their_tokens(citizen, kiosk):
    app, device = f.ApiClient(f.token_for(citizen=citizen)), f.ApiClient(f.token_for(kiosk=kiosk))
    citizen_account_disable(actor=ADMIN, account=citizen)
    kiosk_disable(actor=ADMIN, kiosk=kiosk)
    assert app.get("/auth/me").status_code == 401 and device.get("/auth/me").status_code == 401
    assert set(ApiToken.objects.values_list("revoked_reason", flat=True)) == {"disabled"}
    assert AuditEvent.objects.filter(event_type="ACCOUNT_DISABLED").count() == 2


@pytest.mark.parametrize("model", ["staffmember", "kioskdevice", "citizenaccount"])
def test_the_admin_action_disables_and_signs_out(admin_client, outlet, citizen, kiosk, model):
    holders = {"staffmember": f.make_staff("clerk", outlet), "kioskdevice": kiosk, "citizenaccount": citizen}
    holder = holders[model]
    kw = {"staffmember": "staff", "kioskdevice": "kiosk", "citizenaccount": "citizen"}[model]
    api = f.ApiClient(f.token_for(**{kw: holder}))
    res = admin_client.post(f"/admin/staff/{model}/", {"action": "disable_and_sign_out",
                                                       "_selected_action": [holder.pk]})
    assert res.status_code == 302
    assert api.get("/auth/me").status_code == 401
    event = AuditEvent.objects.get(event_type="ACCOUNT_DISABLED")
    assert event.subject_id == str(holder.pk) and event.actor_name == "root"


def test_the_kiosk_form_does_not_switch_a_kiosk_off_past_its_tokens(admin_client, kiosk):
    page = admin_client.get(f"/admin/staff/kioskdevice/{kiosk.pk}/change/").content.decode()
    assert 'name="is_active"' not in page


def test_switching_a_user_off_in_the_user_admin_ends_tokens_and_sessions(admin_client, outlet):
    clerk = f.make_staff("clerk", outlet)
    api, page = f.ApiClient(f.token_for(staff=clerk)), signed_in_page(clerk)
    user = clerk.user
    res = admin_client.post(f"/admin/auth/user/{user.pk}/change/", {
        "username": user.username, "is_active": "", "date_joined_0": "2026-01-01",
        "date_joined_1": "09:00:00", "initial-date_joined_0": "2026-01-01", "initial-date_joined_1": "09:00:00"})
    assert res.status_code == 302, res.content.decode()[:2000]
    user.refresh_from_db()
    assert not user.is_active
    assert api.get("/auth/me").status_code == 401 and not page_is_signed_in(page)
    assert not StaffSession.objects.filter(user=user).exists()
    assert AuditEvent.objects.get(event_type="ACCOUNT_DISABLED").data["sessions_ended"] == 1
