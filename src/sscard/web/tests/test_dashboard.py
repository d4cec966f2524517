"""主管看板 through the Django test client: who may open it, today's businesses per outlet and type, the
backlog and the overdue items against the limits, the charts' figures, the filters (bad values answered
with a message, never a 5xx), and the issuance device switch (audited, refused to other roles)."""

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.staff.models import Outlet
from sscard.testing import factories as f
from sscard.testing.desk import app_body, apply_body, make_request, req_of

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # a Monday
URL = "/supervisor/"


@pytest.fixture
def supervisor_client(client):
    client.force_login(f.make_staff("supervisor").user)
    return client


def signed_in(client, role, outlet=None):
    client.force_login(f.make_staff(role, outlet or (f.make_outlet() if role == "clerk" else None)).user)
    return client


def device_url(outlet) -> str:
    return reverse("web:device_status_set", args=[outlet.pk])


# ---------------------------------------------------------------- access


@pytest.mark.parametrize("role", ["clerk", "hotline", "reviewer", "auditor"])
def test_other_roles_are_refused_the_dashboard(client, role):
    resp = signed_in(client, role).get(URL)
    assert resp.status_code == 403
    assert "主管看板只对主管和系统管理员开放" in resp.content.decode()


@pytest.mark.parametrize("role", ["supervisor", "admin"])
def test_supervisors_and_admins_open_it_and_the_start_page_lists_it(client, role):
    signed_in(client, role)
    resp = client.get(URL)
    page = resp.content.decode()
    assert resp.status_code == 200 and "<h1>主管看板</h1>" in page
    start = client.get("/").content.decode()
    assert 'href="/supervisor/"' in start and 'href="/supervisor/audit/"' in start


def test_without_a_session_it_sends_to_sign_in(client):
    resp = client.get(URL)
    assert resp.status_code == 302 and resp["Location"].startswith("/sign-in/")


# ---------------------------------------------------------------- figures


def test_todays_businesses_per_outlet_and_type(supervisor_client):
    clock.freeze(MON)
    a, b = f.make_outlet(name="渝中区网点"), f.make_outlet(name="江北区网点")
    for _ in range(2):
        make_request(outlet=a, business="loss_report")
    make_request(outlet=a, business="apply")
    make_request(outlet=b, business="pin_reset")
    make_request(channel="app", business="loss_report")
    make_request(outlet=a, business="apply", created_at=MON - dt.timedelta(days=1))  # yesterday
    resp = supervisor_client.get(URL)
    today = resp.context["today_table"]
    assert today["total"] == 5 and [label for _, label in today["businesses"]] == [
        "社保卡申领", "社保卡密码重置", "社保卡挂失"]
    rows = {r["label"]: r for r in today["rows"]}
    assert rows["渝中区网点"]["counts"] == [1, 0, 2] and rows["渝中区网点"]["total"] == 3
    assert rows["重庆人社APP（无受理网点）"]["total"] == 1
    assert resp.context["totals"]["today"] == 5
    week = resp.context["per_day"]
    assert [d["count"] for d in week][-2:] == [1, 5] and len(week) == 7
    assert resp.context["period_table"]["total"] == 6
    page = resp.content.decode()
    assert "3月1日至3月7日" not in page and "2月24日至3月2日共受理业务 6 笔" in page


def test_filters_narrow_to_an_outlet_and_a_period(supervisor_client):
    clock.freeze(MON)
    a, b = f.make_outlet(), f.make_outlet()
    make_request(outlet=a)
    make_request(outlet=b)
    make_request(outlet=b, created_at=MON - dt.timedelta(days=10))
    resp = supervisor_client.get(URL, {"outlet": b.pk, "date_from": "2026-02-19", "date_to": "2026-03-02"})
    assert resp.status_code == 200
    assert resp.context["today_table"]["total"] == 1
    assert resp.context["period_table"]["total"] == 2 and len(resp.context["per_day"]) == 12
    assert [d["outlet"].pk for d in resp.context["devices"]] == [b.pk]


@pytest.mark.parametrize("query, message", [
    ({"outlet": "abc"}, "所选网点不存在"),
    ({"outlet": "999999"}, "所选网点不存在"),
    ({"date_from": "2026-13-01"}, "请输入有效的日期"),
    ({"date_to": "2026-03-09"}, "结束日期不能晚于今天"),
    ({"date_from": "2026-03-02", "date_to": "2026-02-01"}, "开始日期不能晚于结束日期"),
    ({"date_from": "2020-01-01"}, "统计期间最长 366 天"),
    ({"device": "broken"}, "所选项不存在"),
    ({"date_from": "0001-01-01", "date_to": "9999-12-31"}, "结束日期不能晚于今天"),
])
def test_bad_filter_values_get_a_message_never_a_5xx(supervisor_client, query, message):
    clock.freeze(MON)
    before = AuditEvent.objects.count()
    resp = supervisor_client.get(URL, query)
    page = resp.content.decode()
    assert resp.status_code == 400 and message in page
    assert "<title>错误：" in page and 'data-error-summary' in page and 'aria-invalid="true"' in page
    assert "today_table" not in resp.context and AuditEvent.objects.count() == before


def test_an_htmx_filter_gets_the_body_only_with_its_title(supervisor_client):
    resp = supervisor_client.get(URL, {"outlet": "abc"}, headers={"HX-Request": "true"})
    page = resp.content.decode()
    assert resp.status_code == 400 and "<title>错误：主管看板" in page and "<html" not in page
    assert page.count('id="dashboard-body"') == 1


def test_overdue_deferred_and_review_items_against_their_limits(supervisor_client, clerk_api, outlet, citizen_api,
                                                               adult):
    clock.freeze(MON)
    outlet.issuance_status = "device_failed"
    outlet.save()
    deferred = req_of(clerk_api.post("/applications", apply_body(name="冯四")))
    app = req_of(citizen_api.post("/applications", app_body(adult)))  # waits for review
    assert deferred.production_mode == "deferred" and app.status == "pending_review"

    clock.freeze(MON + dt.timedelta(hours=27))
    resp = supervisor_client.get(URL)
    assert [r["request_no"] for r in resp.context["overdue"]] == [deferred.request_no]
    row = resp.context["overdue"][0]
    assert row["hours_overdue"] == 3.0 and row["limit"] == "24小时" and row["applicant_name"] == "冯*"
    backlog = {b["mode"]: b for b in resp.context["backlog"]}
    assert (backlog["deferred"]["open"], backlog["deferred"]["overdue"]) == (1, 1)
    assert (backlog["central"]["waiting_review"], backlog["central"]["overdue"]) == (1, 0)
    page = resp.content.decode()
    assert deferred.request_no in page and adult.id_number not in page and "冯四" not in page

    # the review's 5 working days end on Monday 9 March at midnight: on the 10th it is overdue too
    clock.freeze(dt.datetime(2026, 3, 10, 0, 30, tzinfo=CST))
    resp = supervisor_client.get(URL)
    rows = {r["request_no"]: r for r in resp.context["overdue"]}
    assert rows[app.request_no]["stage"] == "待审核" and rows[app.request_no]["limit"] == "5个工作日"
    assert {b["mode"]: b["overdue"] for b in resp.context["backlog"]}["central"] == 1
    assert resp.context["totals"]["overdue"] == 2


def test_batch_production_counts_against_ten_working_days(supervisor_client):
    clock.freeze(MON)
    outlet = f.make_outlet()
    make_request(outlet=outlet, pickup_outlet=outlet, status="in_production", production_mode="batch",
                 applicant_role="unit", due_at=MON - dt.timedelta(hours=1))
    make_request(outlet=outlet, pickup_outlet=outlet, status="in_production", production_mode="batch",
                 applicant_role="unit", due_at=MON + dt.timedelta(days=3))
    backlog = {b["mode"]: b for b in supervisor_client.get(URL).context["backlog"]}
    assert backlog["batch"]["limit"] == "10个工作日"
    assert (backlog["batch"]["open"], backlog["batch"]["in_production"], backlog["batch"]["overdue"]) == (2, 2, 1)


def test_on_time_rate_per_day_in_the_chart_data_and_its_summary(supervisor_client):
    clock.freeze(MON)
    outlet = f.make_outlet()
    due = MON - dt.timedelta(days=1)  # due Sunday 1 March
    on_time = f.make_card(f.make_person(), state="made")
    late = f.make_card(f.make_person(), state="made")
    type(on_time).objects.filter(pk=on_time.pk).update(made_at=due - dt.timedelta(hours=2))
    type(late).objects.filter(pk=late.pk).update(made_at=due + dt.timedelta(hours=2))
    for card in (on_time, late):
        make_request(outlet=outlet, status="ready_for_pickup", production_mode="deferred", due_at=due, new_card=card)
    make_request(outlet=outlet, status="in_production", production_mode="deferred", due_at=due)  # never made
    make_request(outlet=outlet, status="voided", production_mode="deferred", due_at=due)  # not counted
    make_request(outlet=outlet, status="in_production", production_mode="deferred",
                 due_at=MON + dt.timedelta(hours=5))  # due later today: not counted yet
    resp = supervisor_client.get(URL)
    day = next(d for d in resp.context["on_time"] if d["date"] == dt.date(2026, 3, 1))
    assert (day["due"], day["on_time"], day["late"], day["rate"]) == (3, 1, 2, 33.3)
    assert resp.context["on_time"][-1]["due"] == 0 and resp.context["on_time"][-1]["rate"] is None
    page = resp.content.decode()
    data = json.loads(re.search(r'<script id="dashboard-charts" type="application/json">(.*?)</script>', page,
                                re.S).group(1))
    assert data["onTime"]["labels"][-2:] == ["3月1日", "3月2日"] and data["onTime"]["rates"][-2:] == [33.3, None]
    assert "按时制成 1 笔，超时 2 笔，按时率 33.3%" in page
    assert '<td>33.3%</td>' in page  # the visually hidden data table beside the chart


def test_the_page_has_no_inline_script_and_loads_the_chart_code(supervisor_client):
    page = supervisor_client.get(URL).content.decode()
    scripts = re.findall(r"<script([^>]*)>(.*?)</script>", page, re.S)
    inline = [attrs for attrs, body in scripts if "src=" not in attrs and 'type="application/json"' not in attrs]
    assert inline == []
    assert "web/dashboard.js" in page and "web/vendor/echarts/echarts.min.js" in page
    assert 'aria-label="每日受理业务量柱状图' in page


# ---------------------------------------------------------------- the issuance device switch


def test_a_failed_outlet_is_switched_back_to_working_audited(supervisor_client, clerk_api, outlet):
    clock.freeze(MON)
    outlet.issuance_status = "device_failed"
    outlet.save()
    waiting = req_of(clerk_api.post("/applications", apply_body()))
    clock.freeze(MON + dt.timedelta(hours=5))
    row = next(d for d in supervisor_client.get(URL).context["devices"] if d["outlet"].pk == outlet.pk)
    assert (row["waiting"], row["seconds_left"], row["suggested"]) == (1, 19 * 3600, "working")
    assert row["oldest_due_at"] == waiting.due_at

    resp = supervisor_client.post(device_url(outlet), {"status": "working", "note": "打印机已修复"},
                                  headers={"HX-Request": "true"})
    page = resp.content.decode()
    assert resp.status_code == 200 and page.lstrip().startswith('<section id="devices"')
    assert "已将" in page and "该网点有 1 笔延时制卡业务等待制卡" in page
    outlet.refresh_from_db()
    assert outlet.issuance_status == "working"
    event = AuditEvent.objects.get(event_type="OUTLET_ISSUANCE_STATUS_CHANGED")
    assert (event.subject_type, event.subject_id, event.outlet_id) == ("staff.outlet", str(outlet.pk), outlet.pk)
    assert (event.before, event.after) == ({"issuance_status": "device_failed"}, {"issuance_status": "working"})
    assert event.data["note"] == "打印机已修复" and event.actor_role == "supervisor"
    # the device table now shows who set it and why
    row = next(d for d in supervisor_client.get(URL).context["devices"] if d["outlet"].pk == outlet.pk)
    assert row["working"] and row["last"]["data"]["note"] == "打印机已修复"


def test_the_switch_without_htmx_redirects_back_with_the_filters(supervisor_client):
    outlet = f.make_outlet()
    resp = supervisor_client.post(device_url(outlet), {"status": "network_failed", "note": "专线中断",
                                                       "outlet": outlet.pk, "device": "failed"})
    assert resp.status_code == 302 and resp["Location"] == f"/supervisor/?outlet={outlet.pk}&device=failed#devices"
    outlet.refresh_from_db()
    assert outlet.issuance_status == "network_failed"
    page = supervisor_client.get(resp["Location"]).content.decode()
    assert "已将" in page and "网络故障" in page


@pytest.mark.parametrize("data, status, message", [
    ({"status": "device_failed"}, 400, "设为故障时请填写故障情况说明"),
    ({"status": "device_failed", "note": "坏" * 201}, 400, "说明不能超过200个字符"),
    ({"status": "on_fire", "note": "x"}, 400, "制卡设备状态无效"),
    ({}, 400, "请选择制卡设备状态"),
    ({"status": "working"}, 409, "已是“正常”状态，未作修改"),
])
def test_bad_switches_are_refused_and_change_nothing(supervisor_client, data, status, message):
    outlet = f.make_outlet()
    before = AuditEvent.objects.count()
    for headers in ({}, {"HX-Request": "true"}):
        resp = supervisor_client.post(device_url(outlet), data, headers=headers)
        assert resp.status_code == status and message in resp.content.decode()
    outlet.refresh_from_db()
    assert outlet.issuance_status == "working" and AuditEvent.objects.count() == before


def test_an_unknown_outlet_is_not_found(supervisor_client):
    resp = supervisor_client.post(reverse("web:device_status_set", args=[987654]), {"status": "working"},
                                  headers={"HX-Request": "true"})
    assert resp.status_code == 404 and "未找到该网点" in resp.content.decode()


@pytest.mark.parametrize("role", ["clerk", "hotline", "reviewer", "auditor"])
def test_other_roles_cannot_switch_a_device(client, role):
    outlet = f.make_outlet(issuance_status="device_failed")
    resp = signed_in(client, role, outlet if role == "clerk" else None).post(device_url(outlet), {"status": "working"})
    assert resp.status_code == 403 and "网点制卡设备状态须由主管或系统管理员设置" in resp.content.decode()
    assert Outlet.objects.get(pk=outlet.pk).issuance_status == "device_failed"
    assert not AuditEvent.objects.filter(event_type="OUTLET_ISSUANCE_STATUS_CHANGED").exists()


def test_the_switch_is_a_post(supervisor_client):
    assert supervisor_client.get(device_url(f.make_outlet())).status_code == 405


def test_only_failed_outlets_when_filtered_by_device(supervisor_client):
    failed = f.make_outlet(issuance_status="network_failed")
    f.make_outlet()
    resp = supervisor_client.get(URL, {"device": "failed"})
    assert [d["outlet"].pk for d in resp.context["devices"]] == [failed.pk]
    assert ServiceRequest.objects.count() == 0
