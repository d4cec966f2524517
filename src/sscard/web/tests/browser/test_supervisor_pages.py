"""Browser journeys of the supervisor's pages: a supervisor finds an overdue item on the dashboard, reads the
charts' figures, filters by outlet and sets a failed outlet's issuance device back to working; an auditor
searches the audit trail; a supervisor changes a fee after checking it.  Each main page is scanned with
axe and photographed (var/screenshots/)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.fees.models import FeeRule
from sscard.staff.actors import Actor
from sscard.staff.models import Outlet
from sscard.staff.outlets import outlet_issuance_status_set
from sscard.testing import factories as f
from sscard.testing.desk import apply_body, make_request, req_of
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CST = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)  # a Monday


def test_a_supervisor_finds_an_overdue_item_filters_and_sets_a_device_working(site, page):
    clock.freeze(MON)
    failed = f.make_outlet(name="渝中区解放碑网点", district="渝中区", issuance_status="device_failed")
    busy = f.make_outlet(name="江北区观音桥网点", district="江北区")
    clerk_api = f.ApiClient(f.token_for(staff=f.make_staff("clerk", failed)))
    deferred = req_of(clerk_api.post("/applications", apply_body(name="冯四")))
    assert deferred.production_mode == "deferred"
    for business in ("loss_report", "loss_report", "pin_reset", "unlock"):
        make_request(outlet=busy, business=business, created_at=MON + dt.timedelta(hours=25))  # Tuesday
    for days in (1, 2, 4):
        make_request(outlet=busy, business="status_query", created_at=MON - dt.timedelta(days=days))
    clock.freeze(MON + dt.timedelta(hours=27))  # Tuesday 12:00: the 24 hours ran out 3 hours ago

    sign_in(page, site, f.make_staff("supervisor"))
    page.get_by_role("link", name=re.compile("主管看板")).first.click()
    expect(page.get_by_role("heading", name="主管看板", level=1)).to_be_visible()
    overdue = page.locator("#overdue")
    expect(overdue).to_contain_text(deferred.request_no)
    expect(overdue).to_contain_text("3小时00分")
    expect(overdue).to_contain_text("冯*")
    expect(page.locator("#backlog")).to_contain_text("24小时")
    # the charts drew, and their figures are there for a screen reader too
    expect(page.locator('[data-chart="perDay"] canvas')).to_have_count(1)
    expect(page.locator('[data-chart="onTime"] canvas')).to_have_count(1)
    expect(page.locator("#chart-per-day-summary")).to_contain_text("共受理业务 8 笔")
    expect(page.locator("#chart-per-day-table")).to_contain_text("3月2日")
    expect(page.locator("#chart-on-time-summary")).to_contain_text("到期的限时制卡业务 1 笔，按时制成 0 笔")
    devices = page.locator("#devices")
    expect(devices.locator(f"#outlet-{failed.pk}")).to_contain_text("设备故障")
    expect(devices.locator(f"#outlet-{failed.pk}")).to_contain_text("已超时 3小时00分")
    assert serious_violations(page) == []
    screenshot(page, "dashboard")

    # filter by outlet: the busy outlet has nothing overdue; its device row alone is shown
    page.get_by_label("网点", exact=True).select_option(label="江北区观音桥网点（江北区）")
    page.get_by_role("button", name="查询").click()
    expect(page).to_have_url(re.compile(rf"outlet={busy.pk}"))
    expect(page.get_by_text("没有超过时限的业务")).to_be_visible()
    expect(page.locator("#today-table")).to_contain_text("江北区观音桥网点")
    expect(page.locator(f"#outlet-{failed.pk}")).to_have_count(0)
    expect(page.locator("#chart-per-day-summary")).to_contain_text("共受理业务 7 笔")
    expect(page.locator('[data-chart="perDay"] canvas')).to_have_count(1)  # drawn again after the swap
    assert serious_violations(page) == []
    screenshot(page, "dashboard-filtered")

    # the failed outlet, and its device back to working
    page.get_by_label("网点", exact=True).select_option(label="渝中区解放碑网点（渝中区）")
    page.get_by_role("button", name="查询").click()
    row = page.locator(f"#outlet-{failed.pk}")
    expect(row).to_be_visible()
    expect(row.get_by_label("状态")).to_have_value("working")
    row.get_by_label("说明").fill("打印机已更换色带")
    row.get_by_role("button", name=re.compile("保存")).click()
    expect(page.locator("#devices [role=status]")).to_contain_text("已将渝中区解放碑网点的制卡设备设为“正常”")
    expect(page.locator("#devices [role=status]")).to_contain_text("1 笔延时制卡业务等待制卡")
    expect(row).to_contain_text("✔ 正常")
    expect(row).to_contain_text("打印机已更换色带")
    assert Outlet.objects.get(pk=failed.pk).issuance_status == "working"
    event = AuditEvent.objects.get(event_type="OUTLET_ISSUANCE_STATUS_CHANGED")
    assert (event.before, event.after) == ({"issuance_status": "device_failed"}, {"issuance_status": "working"})
    assert event.data["note"] == "打印机已更换色带" and event.actor_role == "supervisor"
    assert serious_violations(page) == []
    screenshot(page, "dashboard-device-working")

    # marking it failed again needs a note: the refusal is shown at the field
    row.get_by_label("状态").select_option("device_failed")
    row.get_by_role("button", name=re.compile("保存")).click()
    expect(page.locator("#devices [data-error-summary]")).to_be_focused()
    expect(row).to_contain_text("设为故障时请填写故障情况说明")
    assert Outlet.objects.get(pk=failed.pk).issuance_status == "working"


def test_an_auditor_searches_the_audit_trail(site, page):
    clock.freeze(MON)
    outlet = f.make_outlet(name="沙坪坝区网点", issuance_status="device_failed")
    boss = Actor(kind="staff", role="supervisor", name="李主管", channel="back_office", staff_id=1)
    outlet_issuance_status_set(actor=boss, outlet_id=outlet.pk, status="working", note="网络恢复")
    clock.reset()
    sign_in(page, site, f.make_staff("auditor"))
    expect(page.get_by_role("heading", name="审计日志查询", level=1)).to_be_visible()  # an auditor's only area
    expect(page.get_by_role("link", name="网点与参数设置")).to_have_count(0)
    page.get_by_label("事件类型").select_option(label="网点制卡设备状态变更")
    page.get_by_role("button", name="查询").click()
    results = page.locator("#audit-results")
    expect(results).to_contain_text("李主管")
    expect(results).to_contain_text("网络恢复")
    expect(page.get_by_role("status")).to_contain_text("符合条件的记录共 1 条")
    assert serious_violations(page) == []
    screenshot(page, "audit-search")

    page.get_by_label("开始时间").fill("2026-03-02T10:00")
    page.get_by_label("结束时间").fill("2026-03-02T09:00")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text("开始时间不能晚于结束时间")
    expect(page).to_have_title(re.compile("^错误："))
    assert serious_violations(page) == []
    screenshot(page, "audit-search-error")


def test_a_supervisor_changes_a_fee_after_checking_it(site, page):
    sign_in(page, site, f.make_staff("supervisor"))
    page.get_by_role("link", name=re.compile("网点与参数设置")).first.click()
    f.make_outlet(name="九龙坡区网点")
    page.reload()
    expect(page.locator("#outlets")).to_contain_text("九龙坡区网点")
    assert serious_violations(page) == []
    screenshot(page, "settings-outlets")

    page.get_by_role("link", name="收费标准").click()
    rule = FeeRule.objects.get(business="reissue", reason="lost")
    page.locator(f'a[href="/supervisor/settings/fees/{rule.pk}/"]').click()
    page.get_by_label("金额（元）").fill("25.5")
    page.get_by_role("button", name="下一步：核对修改").click()
    review = page.locator("#review")
    expect(review).to_contain_text("20.00 元")
    expect(review).to_contain_text("25.50 元")
    assert FeeRule.objects.get(pk=rule.pk).amount_fen == 2000
    assert serious_violations(page) == []
    screenshot(page, "settings-fee-review")
    page.get_by_role("button", name="确认保存").click()
    expect(page.get_by_role("status")).to_contain_text("已保存收费标准")
    expect(page.locator("#fees")).to_contain_text("25.50")
    assert FeeRule.objects.get(pk=rule.pk).amount_fen == 2550
    assert AuditEvent.objects.filter(event_type="CONFIG_CHANGED", subject_type="fees.feerule").count() == 1
    assert serious_violations(page) == []
    screenshot(page, "settings-fees")

    page.get_by_role("link", name="节假日日历").click()
    page.get_by_role("link", name="新增节假日或调休日").click()
    page.get_by_label("日期").fill("2031-10-08")
    page.get_by_label("类型").select_option("holiday")
    page.get_by_label("名称").fill("国庆节")
    page.get_by_role("button", name="下一步：核对修改").click()
    page.get_by_role("button", name="确认保存").click()
    expect(page.locator("#calendar")).to_contain_text("2031-10-08")
    expect(page.locator("#calendar")).to_contain_text("国庆节")
    assert serious_violations(page) == []
    screenshot(page, "settings-calendar")
