"""A window clerk's new application in the browser: ID card read, webcam photo and images, signature on
the pad, check answers, instant issuance, the receipt and the evaluation."""

import datetime as dt

import pytest
from playwright.sync_api import expect

from sscard.archive.models import ArchiveItem
from sscard.audit.models import AuditEvent
from sscard.desk.models import ServiceEvaluation, ServiceRequest
from sscard.hardware.interfaces import IdCardData
from sscard.hardware.simulated import SimulatedIdReader
from sscard.testing import factories as f
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _shoot(page, slot: str, button: str):
    box = page.locator(f'[data-capture="{slot}"]')
    box.get_by_role("button", name="打开摄像头").click()
    shoot = box.get_by_role("button", name=button)
    expect(shoot).to_be_enabled()
    shoot.click()
    expect(box.locator("[data-preview]")).to_be_visible()


def _sign(page):
    canvas = page.locator("[data-signature-canvas]")
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + 40, box["y"] + 120)
    page.mouse.down()
    for i in range(1, 12):
        page.mouse.move(box["x"] + 40 + i * 30, box["y"] + 120 + (25 if i % 2 else -25), steps=3)
    page.mouse.up()
    expect(page.locator("[data-signature-status]")).to_have_text("已签名")


def test_new_application_with_webcam_images_and_signature_through_instant_issuance(site, page):
    outlet = f.make_outlet(name="渝中区社保卡服务中心")
    clerk = f.make_staff("clerk", outlet)
    number = f.id_number_for(dt.date(1990, 3, 7))
    SimulatedIdReader.place(f"outlet:{outlet.code}", IdCardData(
        name="王小红", id_number=number, gender="F", ethnicity="汉族", birth_date=dt.date(1990, 3, 7),
        address="重庆市渝中区解放碑街道民族路88号", issuing_authority="重庆市公安局渝中区分局", valid_until=None))

    sign_in(page, site, clerk)
    expect(page.get_by_role("heading", name="窗口工作台", level=1)).to_be_visible()  # the clerk's only area
    expect(page.locator('[data-device="card_printer"]')).to_contain_text("正常")
    assert serious_violations(page) == []
    screenshot(page, "window-home")

    page.get_by_role("link", name="社保卡申领").first.click()
    expect(page.locator("#checklist")).to_contain_text("签字板签名")
    page.locator("#step-applicant").get_by_role("button", name="读取身份证").click()
    expect(page.get_by_label("姓名", exact=True)).to_have_value("王小红")
    expect(page.get_by_label("证件号码", exact=True)).to_have_value(number)
    page.get_by_label("联系电话").fill("13912345678")

    _shoot(page, "photo", "拍摄照片")
    expect(page.locator("#photo-check")).to_contain_text("照片符合要求")
    _shoot(page, "credential_1", "拍摄凭证影像（正面）")
    _shoot(page, "credential_2", "拍摄凭证影像（背面）")
    _shoot(page, "scene", "拍摄办理场景影像")
    _sign(page)
    assert serious_violations(page) == []
    screenshot(page, "window-apply")

    page.get_by_role("button", name="核对信息").click()
    expect(page.locator("#review")).to_contain_text("材料齐全")
    screenshot(page, "window-apply-review")
    page.get_by_role("button", name="确认提交").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("已办结")
    req = ServiceRequest.objects.get(business="apply")
    assert (req.status, req.production_mode, req.outlet_id) == ("completed", "instant", outlet.pk)
    assert req.new_card is not None and req.new_card.issued_at is not None and req.new_card.issued_outlet_id == outlet.pk
    expect(page.locator("main").get_by_role("status").first).to_contain_text(req.new_card.card_no)
    kinds = sorted(ArchiveItem.objects.filter(subject_id=req.request_no).values_list("kind", flat=True))
    assert kinds == ["credential", "credential", "photo", "scene", "signature"]
    assert serious_violations(page) == []
    screenshot(page, "window-request")

    with page.context.expect_page() as opened:
        page.get_by_role("button", name="打印受理回执（PDF）").click()
    receipt = opened.value
    receipt.wait_for_load_state()
    assert "/receipt.pdf" in receipt.url
    receipt.close()
    assert AuditEvent.objects.filter(event_type="RECEIPT_PRINTED", subject_id=req.request_no).count() == 1

    page.get_by_label("非常满意").check()
    page.get_by_role("button", name="提交评价").click()
    expect(page.locator("#evaluation")).to_contain_text("已评价：非常满意")
    evaluation = ServiceEvaluation.objects.get(request=req)
    assert (evaluation.level, evaluation.outlet_id) == (5, outlet.pk)
    types = list(AuditEvent.objects.filter(subject_id=req.request_no).values_list("event_type", flat=True))
    assert "EVALUATION_RECORDED" in types and any(t.startswith("REQUEST_") for t in types)
