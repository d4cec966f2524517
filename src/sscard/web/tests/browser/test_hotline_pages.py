"""12333 热线服务台 in the browser: an operator verifies a caller and reports a temporary loss by phone."""

import re

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.testing import factories as f
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_an_operator_verifies_a_caller_and_reports_a_temporary_loss(site, page):
    person = f.make_person(name="刘德华")
    card = f.make_card(person)
    operator = f.make_staff("hotline")
    sign_in(page, site, operator)

    expect(page.get_by_role("heading", name="核验来电人身份")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "hotline-verify")
    page.get_by_label("社保卡号").fill(card.card_no)
    page.get_by_label("持卡人姓名").fill("刘德")
    page.get_by_label("持卡人身份证号码").fill(person.id_number)
    page.get_by_role("button", name="核验身份").click()
    expect(page).to_have_title(re.compile("^错误："))
    expect(page.locator("[data-error-summary]")).to_be_focused()
    expect(page.locator("[data-error-summary]")).to_contain_text("身份核验未通过")
    assert serious_violations(page) == []
    screenshot(page, "hotline-verify-failed")

    page.get_by_label("持卡人姓名").fill("刘德华")
    page.get_by_label("持卡人身份证号码").fill(person.id_number)
    page.get_by_role("button", name="核验身份").click()
    panel = page.get_by_role("region", name="来电人（已核验）")
    expect(panel).to_contain_text("刘**")
    expect(panel).to_contain_text(person.masked_id_number)
    expect(page.locator("main")).not_to_contain_text(person.id_number)
    expect(page.locator("main")).not_to_contain_text(card.card_no)

    page.get_by_role("button", name="查询社保卡应用状态").click()  # htmx: the answer lands in a live region
    result = page.locator("#status-result")
    expect(result).to_have_attribute("aria-live", "polite")
    expect(result).to_contain_text("不能通过12333电话办理")
    assert serious_violations(page) == []
    screenshot(page, "hotline-caller")

    page.get_by_role("link", name=re.compile("电话挂失")).click()
    expect(page.get_by_role("heading", name="电话挂失：核对信息")).to_be_visible()
    expect(page.locator("main")).to_contain_text("15 天后自动解除")
    assert serious_violations(page) == []
    screenshot(page, "hotline-loss-confirm")
    assert Card.objects.get(pk=card.pk).state == "active"
    page.get_by_role("button", name="确认挂失").click()

    expect(page.get_by_role("heading", name="临时挂失已办理")).to_be_visible()
    row = Card.objects.get(pk=card.pk)
    assert row.state == "lost_temp" and row.temp_loss_expires_at is not None
    lapse = timezone.localtime(row.temp_loss_expires_at)
    expect(page.locator("main")).to_contain_text(f"{lapse.year}年{lapse.month}月{lapse.day}日 {lapse:%H:%M}")
    expect(page.locator("main")).to_contain_text("临时挂失")
    event = AuditEvent.objects.get(event_type="CARD_LOSS_REPORTED_TEMPORARY", subject_id=card.card_no)
    assert (event.channel, event.actor_id) == ("phone", operator.pk)
    assert AuditEvent.objects.filter(event_type="CALLER_VERIFIED", subject_id=card.card_no).count() == 1
    assert AuditEvent.objects.filter(event_type="CALLER_VERIFICATION_FAILED").count() == 1
    assert serious_violations(page) == []
    screenshot(page, "hotline-loss-done")

    page.get_by_role("button", name="结束通话").click()
    expect(page.get_by_role("status").first).to_contain_text("通话已结束")
    expect(page.get_by_role("heading", name="核验来电人身份")).to_be_visible()
