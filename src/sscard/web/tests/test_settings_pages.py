"""网点与参数设置 through the Django test client: lists, edit forms with the check step (核对修改) before
anything is saved, every change through its service and audited, refusals for other roles, bad input
answered with a message and changing nothing."""

import datetime as dt

import pytest
from django.urls import reverse

from sscard.audit.models import AuditEvent
from sscard.fees.models import FeeRule
from sscard.staff.models import Outlet
from sscard.testing import factories as f
from sscard.workdays.models import CalendarDay
from sscard.workdays.selectors import is_working_day

pytestmark = pytest.mark.django_db


@pytest.fixture
def supervisor_client(client):
    client.force_login(f.make_staff("supervisor").user)
    return client


def signed_in(client, role):
    client.force_login(f.make_staff(role, f.make_outlet() if role == "clerk" else None).user)
    return client


def config_events():
    return list(AuditEvent.objects.filter(event_type__startswith="CONFIG_").order_by("seq"))


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("role", ["clerk", "hotline", "reviewer", "auditor"])
def test_other_roles_can_neither_see_nor_change_settings(client, role):
    signed_in(client, role)
    outlet = f.make_outlet()
    rule = FeeRule.objects.get(business="reissue", reason="lost")
    for url in ("/supervisor/settings/", "/supervisor/settings/fees/", "/supervisor/settings/calendar/",
                f"/supervisor/settings/outlets/{outlet.pk}/", f"/supervisor/settings/fees/{rule.pk}/",
                "/supervisor/settings/calendar/new/"):
        resp = client.get(url)
        assert resp.status_code == 403, url
        assert "须由主管或系统管理员维护" in resp.content.decode()
    resp = client.post(f"/supervisor/settings/fees/{rule.pk}/", {"amount": "1", "confirm": "1"})
    assert resp.status_code == 403
    assert FeeRule.objects.get(pk=rule.pk).amount_fen == 2000 and config_events() == []


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_see_the_lists(client, role):
    signed_in(client, role)
    outlet = f.make_outlet(name="南岸区网点")
    page = client.get("/supervisor/settings/").content.decode()
    assert "南岸区网点" in page and f'href="/supervisor/settings/outlets/{outlet.pk}/"' in page
    page = client.get("/supervisor/settings/fees/").content.decode()
    assert "丢失补领收取工本费" in page and "20.00" in page
    resp = client.get("/supervisor/settings/calendar/", {"year": "2026"})
    assert resp.status_code == 200 and "节假日日历（2026年）" in resp.content.decode()


# ---------------------------------------------------------------- outlets


def test_an_outlet_change_is_checked_then_saved_and_audited(supervisor_client):
    outlet = f.make_outlet()
    url = f"/supervisor/settings/outlets/{outlet.pk}/"
    form = supervisor_client.get(url).content.decode()
    assert ('<input type="checkbox" name="has_signature_pad" aria-describedby="field-has_signature_pad_helptext" '
            'id="field-has_signature_pad" checked>') in form
    assert '<small class="hint" id="field-has_signature_pad_helptext">' in form
    data = {"has_digital_archive": "on", "accepts_pickup": "on", "is_active": "on"}  # signature pad unticked
    review = supervisor_client.post(url, data)
    page = review.content.decode()
    assert review.status_code == 200 and "核对修改" in page and "（已修改）" in page
    assert Outlet.objects.get(pk=outlet.pk).has_signature_pad and config_events() == []
    resp = supervisor_client.post(url, {**data, "confirm": "1"})
    assert resp.status_code == 302 and resp["Location"] == "/supervisor/settings/"
    outlet.refresh_from_db()
    assert not outlet.has_signature_pad and outlet.has_digital_archive
    (event,) = config_events()
    assert (event.event_type, event.subject_type, event.subject_id) == ("CONFIG_CHANGED", "staff.outlet", str(outlet.pk))
    assert (event.before, event.after, event.data) == ({"has_signature_pad": True}, {"has_signature_pad": False},
                                                       {"via": "page"})
    assert "已保存" in supervisor_client.get(resp["Location"]).content.decode()


def test_an_outlet_saved_unchanged_writes_nothing(supervisor_client):
    outlet = f.make_outlet()
    data = {"has_signature_pad": "on", "has_digital_archive": "on", "accepts_pickup": "on", "is_active": "on"}
    page = supervisor_client.post(f"/supervisor/settings/outlets/{outlet.pk}/", data).content.decode()
    assert "没有任何修改" in page and "确认保存" not in page
    supervisor_client.post(f"/supervisor/settings/outlets/{outlet.pk}/", {**data, "confirm": "1"})
    assert config_events() == []


def test_back_to_the_form_keeps_the_values_and_focuses_the_field(supervisor_client):
    outlet = f.make_outlet()
    page = supervisor_client.post(f"/supervisor/settings/outlets/{outlet.pk}/",
                                  {"is_active": "on", "edit": "accepts_pickup"}).content.decode()
    assert 'name="accepts_pickup" autofocus aria-describedby="field-accepts_pickup_helptext"' in page
    assert 'name="is_active" id="field-is_active" checked>' in page and config_events() == []


def test_an_unknown_outlet_is_not_found(supervisor_client):
    resp = supervisor_client.get("/supervisor/settings/outlets/999999/")
    assert resp.status_code == 404 and "未找到该网点" in resp.content.decode()


# ---------------------------------------------------------------- fees


def test_a_fee_change_in_yuan_is_saved_in_fen_and_audited(supervisor_client):
    rule = FeeRule.objects.get(business="reissue", reason="lost")
    url = f"/supervisor/settings/fees/{rule.pk}/"
    assert 'value="20.00"' in supervisor_client.get(url).content.decode()
    data = {"amount": "25.5", "note": rule.note, "is_active": "on"}
    page = supervisor_client.post(url, data).content.decode()
    assert "20.00 元" in page and "25.50 元" in page
    assert supervisor_client.post(url, {**data, "confirm": "1"}).status_code == 302
    rule.refresh_from_db()
    assert rule.amount_fen == 2550
    (event,) = config_events()
    assert (event.subject_type, event.before, event.after) == ("fees.feerule", {"amount_fen": 2000},
                                                              {"amount_fen": 2550})


@pytest.mark.parametrize("amount, message, status", [
    ("abc", "请输入金额（元）", 400),
    ("", "请输入金额（元）", 400),
    ("1.234", "金额最多保留两位小数", 400),
    ("-1", "金额须为不小于 0 的整数", 400),
    ("99999999999", "金额过大", 400),
])
def test_bad_amounts_get_a_message_and_change_nothing(supervisor_client, amount, message, status):
    rule = FeeRule.objects.get(business="reissue", reason="lost")
    for step in ({}, {"confirm": "1"}):
        resp = supervisor_client.post(f"/supervisor/settings/fees/{rule.pk}/", {"amount": amount, "is_active": "on",
                                                                                **step})
        page = resp.content.decode()
        if step or status != 400 or message != "金额须为不小于 0 的整数":
            assert resp.status_code == status and message in page and "<title>错误：" in page
    assert FeeRule.objects.get(pk=rule.pk).amount_fen == 2000 and config_events() == []


def test_a_new_fee_rule_and_its_refusals(supervisor_client):
    url = "/supervisor/settings/fees/new/"
    data = {"business": "replace", "reason": "other", "amount": "10", "note": "其他原因换领"}
    assert "核对修改" in supervisor_client.post(url, data).content.decode()
    assert supervisor_client.post(url, {**data, "confirm": "1"}).status_code == 302
    rule = FeeRule.objects.get(business="replace", reason="other")
    assert rule.amount_fen == 1000 and config_events()[0].event_type == "CONFIG_ADDED"
    resp = supervisor_client.post(url, {**data, "confirm": "1"})
    assert resp.status_code == 409 and "已有收费标准" in resp.content.decode()
    resp = supervisor_client.post(url, {**data, "business": "apply", "confirm": "1"})
    assert resp.status_code == 400 and "社保卡申领的原因只能是" in resp.content.decode()
    resp = supervisor_client.post(url, {**data, "business": "teleport", "confirm": "1"})
    assert resp.status_code == 400 and "所选项不存在" in resp.content.decode()
    assert len(config_events()) == 1


# ---------------------------------------------------------------- the holiday calendar


def test_a_holiday_is_added_changed_and_deleted_each_audited(supervisor_client):
    day = dt.date(2031, 10, 8)  # a Wednesday in a year the built-in calendar does not carry
    assert is_working_day(day)
    data = {"date": "2031-10-08", "kind": "holiday", "name": "国庆节", "note": ""}
    assert "核对修改" in supervisor_client.post("/supervisor/settings/calendar/new/", data).content.decode()
    resp = supervisor_client.post("/supervisor/settings/calendar/new/", {**data, "confirm": "1"})
    assert resp.status_code == 302 and resp["Location"] == "/supervisor/settings/calendar/?year=2031"
    row = CalendarDay.objects.get(date=day)
    assert not is_working_day(day)
    resp = supervisor_client.post("/supervisor/settings/calendar/new/", {**data, "confirm": "1"})
    assert resp.status_code == 409 and "已有记录" in resp.content.decode()

    url = f"/supervisor/settings/calendar/{row.pk}/"
    supervisor_client.post(url, {"kind": "workday", "name": "国庆节调休上班", "note": "", "confirm": "1"})
    row.refresh_from_db()
    assert row.kind == "workday" and is_working_day(day)

    confirm = supervisor_client.get(f"{url}delete/").content.decode()
    assert "确定删除" in confirm and CalendarDay.objects.filter(pk=row.pk).exists()
    assert supervisor_client.post(f"{url}delete/").status_code == 302
    assert not CalendarDay.objects.filter(pk=row.pk).exists()
    assert [e.event_type for e in config_events()] == ["CONFIG_ADDED", "CONFIG_CHANGED", "CONFIG_DELETED"]
    added, changed, deleted = config_events()
    assert added.after["kind"] == "holiday" and changed.before == {"kind": "holiday", "name": "国庆节"}
    assert deleted.before["date"] == "2031-10-08" and {e.subject_type for e in config_events()} == {
        "workdays.calendarday"}


@pytest.mark.parametrize("data, message", [
    ({"date": "2031-02-30", "kind": "holiday"}, "请输入有效的日期"),
    ({"date": "", "kind": "holiday"}, "请输入日期"),
    ({"date": "2031-10-08", "kind": "party"}, "所选项不存在"),
    ({"date": "2031-10-08", "kind": "holiday", "name": "节" * 101}, "名称不能超过100个字符"),
])
def test_bad_calendar_input_changes_nothing(supervisor_client, data, message):
    resp = supervisor_client.post("/supervisor/settings/calendar/new/", {**data, "confirm": "1"})
    assert resp.status_code == 400 and message in resp.content.decode()
    assert CalendarDay.objects.count() == 0 and config_events() == []


@pytest.mark.parametrize("year", ["abc", "1999", "2101"])
def test_a_bad_year_gets_a_message(supervisor_client, year):
    resp = supervisor_client.get("/supervisor/settings/calendar/", {"year": year})
    assert resp.status_code == 400 and "年份须为 2000 至 2100 之间的整数" in resp.content.decode()


def test_unknown_rows_are_not_found(supervisor_client):
    for url in ("/supervisor/settings/fees/999999/", "/supervisor/settings/calendar/999999/",
                "/supervisor/settings/calendar/999999/delete/"):
        resp = supervisor_client.get(url)
        assert resp.status_code == 404, url
    assert reverse("web:settings_calendar_delete", args=[1]) == "/supervisor/settings/calendar/1/delete/"


def test_an_id_too_large_for_the_database_is_not_found(supervisor_client):
    huge = 2**70
    for url in (f"/supervisor/settings/outlets/{huge}/", f"/supervisor/settings/fees/{huge}/",
                f"/supervisor/settings/calendar/{huge}/", f"/supervisor/settings/calendar/{huge}/delete/"):
        assert supervisor_client.get(url).status_code == 404, url
    assert supervisor_client.post(f"/supervisor/outlets/{huge}/issuance-status/", {"status": "working"}).status_code == 404
