"""Signing in and out with a session; the idle timeout; the start page per role."""

import pytest
from axes.models import AccessAttempt
from django.contrib.sessions.models import Session
from django.urls import reverse
from django.utils import timezone

from sscard.audit.models import AuditEvent
from sscard.testing import factories as f

pytestmark = pytest.mark.django_db


def sign_in(client, staff, password="demo-pass-123", next_url=None):
    data = {"username": staff.user.username, "password": password}
    if next_url:
        data["next"] = next_url
    return client.post(reverse("web:sign_in"), data)


def test_the_sign_in_page_is_chinese_and_labels_its_fields(client):
    resp = client.get(reverse("web:sign_in"))
    page = resp.content.decode()
    assert resp.status_code == 200
    assert '<html lang="zh-CN">' in page
    assert '<label for="field-username">用户名</label>' in page
    assert '<label for="field-password">密码</label>' in page


def test_signing_in_opens_a_session_and_audits_it(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    resp = sign_in(client, clerk)
    assert resp.status_code == 302
    event = AuditEvent.objects.get(event_type="STAFF_SIGNED_IN")
    assert (event.actor_name, event.data["via"]) == (clerk.display_name, "session")


def test_both_fields_missing_are_named_at_once_and_the_title_says_error(client):
    resp = client.post(reverse("web:sign_in"), {"username": "", "password": ""})
    page = resp.content.decode()
    assert resp.status_code == 400
    assert "<title>错误：" in page
    assert 'href="#field-username">请输入用户名' in page and 'href="#field-password">请输入密码' in page


def test_a_wrong_password_says_so_keeps_the_name_and_changes_nothing(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    resp = sign_in(client, clerk, password="wrong-password")
    page = resp.content.decode()
    assert resp.status_code == 400
    assert "用户名或密码错误" in page and f'value="{clerk.user.username}"' in page
    assert not AuditEvent.objects.filter(event_type="STAFF_SIGNED_IN").exists()
    assert client.get(reverse("web:start")).status_code == 302


def test_next_is_followed_only_on_this_site(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    assert sign_in(client, clerk, next_url="https://evil.example/")["Location"] == reverse("web:start")


def test_signing_out_ends_the_session_and_audits_the_reason(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    sign_in(client, clerk)
    resp = client.post(reverse("web:sign_out"), {"reason": "idle"})
    assert resp["Location"] == reverse("web:sign_in") + "?signed_out=idle"
    assert AuditEvent.objects.get(event_type="STAFF_SIGNED_OUT").data["reason"] == "idle"
    assert client.get(reverse("web:start")).status_code == 302
    assert "已长时间未操作" in client.get(resp["Location"]).content.decode()


def test_sign_out_is_a_post(client, outlet):
    sign_in(client, f.make_staff("clerk", outlet))
    assert client.get(reverse("web:sign_out")).status_code == 405


def test_the_session_is_saved_on_each_request_with_the_idle_age(client, outlet, settings):
    settings.SESSION_COOKIE_AGE = 120
    sign_in(client, f.make_staff("reviewer"))
    resp = client.post(reverse("web:keepalive"))
    assert resp.status_code == 204
    # the cookie ends with the browser; the server ends the session 120 s after this last request
    stored = Session.objects.get(session_key=resp.cookies["sessionid"].value)
    assert 118 <= (stored.expire_date - timezone.now()).total_seconds() <= 120
    page = client.get(reverse("web:start"), follow=True).content.decode()
    assert 'data-idle-seconds="120"' in page and 'data-warn-seconds="60"' in page


def test_the_warning_comes_at_least_20_seconds_before_the_end(client, settings):
    settings.SESSION_COOKIE_AGE = 30
    sign_in(client, f.make_staff("auditor"))
    page = client.get(reverse("web:start"), follow=True).content.decode()
    assert 'data-warn-seconds="20"' in page


def test_wrong_passwords_on_the_page_lock_the_account_and_are_audited(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    statuses = [sign_in(client, clerk, password=f"wrong-{i}").status_code for i in range(6)]
    assert statuses == [400] * 4 + [429] * 2
    resp = sign_in(client, clerk)
    assert resp.status_code == 429 and "登录失败次数过多" in resp.content.decode()
    assert client.get(reverse("web:start")).status_code == 302
    failed = AuditEvent.objects.filter(event_type="SIGN_IN_FAILED")
    assert failed.count() == 7 and {e.data["via"] for e in failed} == {"session"}
    assert AuditEvent.objects.filter(event_type="SIGN_IN_LOCKED_OUT", subject_id=str(clerk.pk)).count() == 1
    kept = str(list(AccessAttempt.objects.values())) + str([e.data for e in failed])
    assert "wrong-" not in kept and "demo-pass-123" not in kept  # no password, wrong or right, is kept


def test_the_page_and_the_api_share_one_count(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    for _ in range(3):
        sign_in(client, clerk, password="wrong")
    api = f.ApiClient()
    for _ in range(2):
        api.post("/auth/staff-token", {"username": clerk.user.username, "password": "wrong"})
    assert sign_in(client, clerk).status_code == 429


def test_the_admin_sign_in_is_counted_too(client, outlet):
    clerk = f.make_staff("clerk", outlet)
    for _ in range(5):
        client.post("/admin/login/", {"username": clerk.user.username, "password": "wrong"})
    assert sign_in(client, clerk).status_code == 429
