"""More window journeys in the browser: a PIN reset on the (simulated) PIN pad, and an application at a
township outlet without a signature pad or digital archive (printed form, recorded paper signature)."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from sscard.audit.models import AuditEvent
from sscard.desk.models import ServiceRequest
from sscard.hardware import pin_hashing
from sscard.hardware.interfaces import IdCardData
from sscard.hardware.models import SimulatedChip
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedIdReader
from sscard.testing import factories as f
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot, sign_in
from sscard.web.tests.browser.test_window_apply import _shoot, _sign

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_pin_reset_on_the_simulated_pin_pad(site, page):
    outlet = f.make_outlet()
    clerk = f.make_staff("clerk", outlet)
    person = f.make_person(name="周八")
    card = f.make_card(person)
    SimulatedCardTerminal.provision(card.card_no, pin="111111", identification_code=card.identification_code)
    SimulatedIdReader.place(f"outlet:{outlet.code}", IdCardData(
        name="周八", id_number=person.id_number, gender="M", ethnicity="汉族", birth_date=person.birth_date,
        address="重庆市渝中区", issuing_authority="重庆市公安局", valid_until=None))

    sign_in(page, site, clerk)
    page.get_by_role("link", name="社保卡密码重置").click()
    page.locator("#step-applicant").get_by_role("button", name="读取身份证").click()
    expect(page.get_by_label("证件号码", exact=True)).to_have_value(person.id_number)
    _shoot(page, "credential_1", "拍摄凭证影像（正面）")
    _shoot(page, "scene", "拍摄办理场景影像")
    # the holder inserts the card and types the new PIN twice on the pad (the simulated devices' panel)
    page.get_by_text("模拟设备（演示与测试用").click()
    page.get_by_label("社会保障卡卡号").fill(card.card_no)
    page.get_by_role("button", name="插入社保卡").click()
    expect(page.locator("#sim-card-result")).to_contain_text("已插入社保卡")
    page.get_by_label("第1次输入").fill("258369")
    page.get_by_label("第2次输入").fill("258369")
    page.get_by_role("button", name="按确认键").click()
    expect(page.locator("#sim-pin-result")).to_contain_text("已在密码键盘上输入 2 次")
    assert serious_violations(page) == []
    screenshot(page, "window-pin-reset")
    page.get_by_role("button", name="核对信息").click()
    expect(page.locator("#review")).to_contain_text("材料齐全")
    page.get_by_role("button", name="确认提交").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("已完成")
    assert pin_hashing.check_pin(SimulatedChip.objects.get(card_no=card.card_no).pin_hash, "258369")
    req = ServiceRequest.objects.get(business="pin_reset")
    assert req.status == "completed"
    event = AuditEvent.objects.get(event_type="CARD_PIN_RESET")
    assert "258369" not in str(event.data) and "258369" not in str(event.after)
    assert serious_violations(page) == []


def test_township_outlet_prints_the_form_and_records_the_paper_signature(site, page):
    township = f.make_outlet(name="万州区龙沙镇便民服务中心", level="township", has_signature_pad=False,
                             has_digital_archive=False)
    clerk = f.make_staff("clerk", township)
    number = f.id_number_for(dt.date(1970, 5, 5))
    sign_in(page, site, clerk)
    expect(page.locator('[data-device="signature_pad"]')).to_contain_text("未配备")
    page.get_by_role("link", name="社保卡申领").first.click()
    expect(page.locator("#checklist")).to_contain_text("纸质表单签字")
    page.get_by_label("证件号码", exact=True).fill(number)
    page.get_by_label("姓名", exact=True).fill("吴九")
    page.get_by_label("联系电话").fill("13911110000")
    page.get_by_label("居住地址").fill("重庆市万州区龙沙镇江南路9号")
    _shoot(page, "photo", "拍摄照片")
    expect(page.locator("#photo-check")).to_contain_text("照片符合要求")
    page.get_by_label("纸质资料存档编号").fill("WZ-LS-2026-0009")
    expect(page.locator("#step-signature")).to_contain_text("打印业务表单")
    page.get_by_role("button", name="核对信息").click()
    expect(page.locator("#review")).to_contain_text("材料齐全")
    page.get_by_role("button", name="确认提交").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("待签字表单回收")
    req = ServiceRequest.objects.get()
    form = page.request.get(f"{site}/window/requests/{req.request_no}/form.pdf")
    assert form.status == 200 and form.body()[:5] == b"%PDF-"
    assert serious_violations(page) == []
    screenshot(page, "window-paper-signature")
    page.get_by_label("已签字表单存档编号").fill("WZ-LS-QZ-0009")
    page.get_by_role("button", name="登记已签字表单").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已办结")
    req.refresh_from_db()
    assert req.status == "completed" and req.new_card is not None
    types = set(AuditEvent.objects.filter(subject_id=req.request_no).values_list("event_type", flat=True))
    assert "REQUEST_SIGNED_FORM_RECORDED" in types


def test_a_deferred_card_is_made_after_the_supervisor_sets_the_device_back_to_working(site, page, browser):
    outlet = f.make_outlet(name="江北区社保卡服务中心", issuance_status="device_failed")
    clerk = f.make_staff("clerk", outlet)
    supervisor = f.make_staff("supervisor")
    sign_in(page, site, clerk)
    expect(page.locator('[data-device="card_printer"]')).to_contain_text("设备故障")
    page.get_by_role("link", name="社保卡申领").first.click()
    page.get_by_label("证件号码", exact=True).fill(f.id_number_for(dt.date(1988, 8, 8)))
    page.get_by_label("姓名", exact=True).fill("郑十")
    page.get_by_label("联系电话").fill("13922223333")
    page.get_by_label("居住地址").fill("重庆市江北区观音桥街道1号")
    _shoot(page, "photo", "拍摄照片")
    _shoot(page, "credential_1", "拍摄凭证影像（正面）")
    _shoot(page, "scene", "拍摄办理场景影像")
    _sign(page)
    page.get_by_role("button", name="核对信息").click()
    page.get_by_role("button", name="确认提交").click()
    expect(page.locator("main").get_by_role("status").first).to_contain_text("24 小时内制成")
    req = ServiceRequest.objects.get()
    assert (req.status, req.production_mode) == ("in_production", "deferred")
    page.goto(f"{site}/window/deferred/")
    expect(page.locator("main")).to_contain_text(req.request_no)
    screenshot(page, "window-deferred")

    # the supervisor, on their own screen, sets the outlet's device back to working
    other = browser.new_context(locale="zh-CN", timezone_id="Asia/Shanghai")
    boss = other.new_page()
    sign_in(boss, site, supervisor)
    boss.goto(f"{site}/supervisor/")
    row = boss.locator(f"#outlet-{outlet.pk}")
    row.get_by_label("状态").select_option("working")
    row.get_by_label("说明").fill("制卡机已修复")
    row.get_by_role("button", name=re.compile("保存")).click()
    expect(boss.locator("#devices [role=status]")).to_contain_text("1 笔延时制卡业务等待制卡")
    other.close()

    # back at the window: make the card and hand it over, the originals checked
    page.goto(f"{site}/window/requests/{req.request_no}/")
    page.get_by_label("申办人居民身份证（原件）").check()
    page.get_by_role("button", name="制卡并发放").click()
    expect(page.get_by_role("heading", level=1)).to_contain_text("已办结")
    req.refresh_from_db()
    assert req.status == "completed" and req.new_card is not None and req.new_card.issued_at is not None
    assert AuditEvent.objects.filter(event_type="OUTLET_ISSUANCE_STATUS_CHANGED").exists()
    assert serious_violations(page) == []
