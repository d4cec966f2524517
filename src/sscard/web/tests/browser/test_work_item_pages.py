"""转办工单 in the browser, on the demo data: the 12333 operator verifies a demo caller and sends a work item
to the Yuzhong outlet (every missing item named at once first); the Yuzhong clerk, on their own screen,
finds it from the window home, accepts it and closes it with the result."""

import io
import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.desk.models import WorkItem
from sscard.people.models import Person
from sscard.staff.models import StaffMember
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # the demo loader is for development setups
    call_command("load_demo_data", stdout=io.StringIO())


def test_an_operator_sends_a_work_item_and_the_outlet_accepts_and_closes_it(
        site, page, browser, browser_context_args, demo):
    caller = Person.objects.get(name="张三")
    card = Card.objects.get(person=caller, state="active")
    operator = StaffMember.objects.get(user__username="hotline")
    sign_in(page, site, operator)
    page.get_by_label("社保卡号").fill(card.card_no)
    page.get_by_label("持卡人姓名").fill("张三")
    page.get_by_label("持卡人身份证号码").fill(caller.id_number)
    page.get_by_role("button", name="核验身份").click()
    expect(page.get_by_role("region", name="来电人（已核验）")).to_contain_text("张*")

    page.get_by_role("button", name="核对转办信息").click()  # nothing chosen: every missing item at once
    expect(page).to_have_title(re.compile("^错误："))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    for message in ("请选择转办网点", "请选择工单类别", "请填写转办事由"):
        expect(summary.get_by_role("link", name=re.compile(message))).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "work-item-form-errors")

    page.get_by_role("combobox", name="转办网点").select_option(label="渝中区社保卡服务中心（渝中区）")
    page.get_by_label("工单类别").select_option("预约办理")
    page.get_by_label("转办事由").fill("来电人要预约到窗口补办社保卡，请网点回电约定时间。")
    page.get_by_label("回电号码（选填）").fill("13911112222")
    page.get_by_role("button", name="核对转办信息").click()
    expect(page.get_by_role("heading", name="转办网点：核对信息")).to_be_visible()
    expect(page.locator("main")).to_contain_text("渝中区社保卡服务中心")
    assert serious_violations(page) == []
    screenshot(page, "work-item-confirm")
    assert not WorkItem.objects.filter(person=caller).exists()  # nothing before 确认转办
    page.get_by_role("button", name="确认转办").click()
    expect(page.get_by_role("heading", name="已转办网点")).to_be_visible()
    item = WorkItem.objects.get(person=caller)
    expect(page.locator("main")).to_contain_text(item.work_item_no)
    expect(page.locator("main")).to_contain_text("139****2222")
    expect(page.locator("main")).not_to_contain_text(caller.id_number)
    assert serious_violations(page) == []
    screenshot(page, "work-item-sent")

    # the Yuzhong clerk, on their own screen
    other = browser.new_context(**browser_context_args)
    window = other.new_page()
    clerk = StaffMember.objects.get(user__username="clerk_yz")
    sign_in(window, site, clerk)
    window.get_by_role("link", name=re.compile("12333转办工单")).click()
    row = window.locator("#work-items tr", has_text=item.work_item_no)
    expect(row).to_contain_text("张*")
    expect(row).to_contain_text("未到期")
    expect(window.locator("main")).not_to_contain_text(caller.id_number)
    assert serious_violations(window) == []
    screenshot(window, "work-items-list")
    row.get_by_role("link", name=item.work_item_no).click()
    window.get_by_role("button", name="受理工单").click()
    expect(window.locator("main").get_by_role("status").first).to_contain_text("已受理该工单")
    window.get_by_label("办理结果").fill("已回电，约定周三上午到窗口补办。")
    window.get_by_role("button", name="办结工单").click()
    expect(window.get_by_role("heading", level=1)).to_contain_text("已办结")
    expect(window.locator("main")).to_contain_text("已回电，约定周三上午到窗口补办。")
    assert serious_violations(window) == []
    screenshot(window, "work-item-closed")
    other.close()

    item.refresh_from_db()
    assert (item.state, item.accepted_by_id, item.closed_by_id) == ("closed", clerk.pk, clerk.pk)
    events = list(AuditEvent.objects.filter(subject_id=item.work_item_no).order_by("seq"))
    assert [(e.event_type, e.actor_id, e.channel) for e in events] == [
        ("WORK_ITEM_CREATED", operator.pk, "phone"), ("WORK_ITEM_ACCEPTED", clerk.pk, "window"),
        ("WORK_ITEM_CLOSED", clerk.pk, "window")]
    assert events[-1].data["on_time"] is True and events[-1].outlet_id == clerk.outlet_id
