"""The citizen app's web views in a phone-sized browser (360 × 740): sign in → task list → report the
card lost → confirmation → the status page shows it → withdraw the loss; the card's state and the audit
trail checked in the database, axe on every page, no horizontal scroll, the age-friendly sizes of UX.md."""

import re

import pytest
from playwright.sync_api import expect

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.desk.models import ServiceRequest
from sscard.testing import factories as f
from sscard.testing.photos import photo_bytes
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

# Every visible tap target of the page smaller than 60 × 60 px (UX.md, age-friendly), and the body text size.
SIZES = """() => {
  const small = [];
  const targets = 'main button, main a, main input, header button, header a, footer button';
  for (const el of document.querySelectorAll(targets)) {
    const choice = el.matches('input[type=radio], input[type=checkbox]') && el.closest('label');
    const r = (choice || el).getBoundingClientRect();  // a radio button is tapped on its whole label
    if (r.width === 0 || el.closest('.skip-link')) continue;
    if (r.height < 60 || r.width < 60) small.push(el.outerHTML.slice(0, 80) + ' ' + r.width + 'x' + r.height);
  }
  const tiny = [...document.querySelectorAll('main *, header *')].filter(el => el.childNodes.length &&
      [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim()) &&
      parseFloat(getComputedStyle(el).fontSize) < 24)
      .map(el => el.tagName + ' ' + el.textContent.slice(0, 20));
  return {small, tiny, body: parseFloat(getComputedStyle(document.body).fontSize),
          lineHeight: parseFloat(getComputedStyle(document.body).lineHeight),
          overflow: document.documentElement.scrollWidth - window.innerWidth};
}"""


def check_page(page, name: str) -> None:
    page.wait_for_load_state("load")  # the style sheets applied
    sizes = page.evaluate(SIZES)
    assert sizes["overflow"] <= 0, f"{name}: horizontal scroll of {sizes['overflow']} px"
    assert sizes["body"] >= 24 and sizes["lineHeight"] >= 1.3 * sizes["body"], name  # 18 pt, 1.3
    assert sizes["tiny"] == [], f"{name}: text under 18 pt: {sizes['tiny']}"
    assert sizes["small"] == [], f"{name}: tap targets under 60 px: {sizes['small']}"
    assert serious_violations(page) == [], name
    screenshot(page, f"app-{name}")


def test_an_app_user_reports_the_card_lost_and_withdraws_it_on_a_phone(site, page):
    page.set_viewport_size({"width": 360, "height": 740})
    person = f.make_person(name="李桂兰")
    card = f.make_card(person)
    account = f.make_citizen(person)

    page.goto(f"{site}/app/status/")  # no session: the app's sign-in, then back here
    expect(page.get_by_role("heading", name="登录重庆人社")).to_be_visible()
    check_page(page, "sign-in")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill("wrong-pass-1")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_title(re.compile("^错误："))
    expect(page.locator("[data-error-summary]")).to_contain_text("证件号码或密码错误")
    check_page(page, "sign-in-failed")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill("app-pass-123")
    page.get_by_role("button", name="登录").click()
    expect(page).to_have_url(re.compile("/app/status/$"))

    page.goto(f"{site}/app/tasks/")
    expect(page.get_by_role("heading", name="我的社保卡", exact=True)).to_be_visible()
    expect(page.locator("main")).to_contain_text("正常")
    expect(page.locator("main")).not_to_contain_text(card.card_no)  # masked
    expect(page.get_by_role("link", name=re.compile("社保卡解挂"))).to_have_count(0)
    check_page(page, "tasks")

    page.get_by_role("link", name=re.compile("社保卡挂失")).click()
    expect(page.get_by_role("heading", name="挂失社保卡")).to_be_visible()
    check_page(page, "loss-check")
    assert Card.objects.get(pk=card.pk).state == "active"  # nothing done before the confirmation
    page.get_by_role("button", name="确认挂失").click()

    req = ServiceRequest.objects.get(business="loss_report", applicant=person)
    expect(page.get_by_role("heading", name="社保卡挂失已办理")).to_be_visible()
    expect(page.locator("[data-request-no]")).to_have_text(req.request_no)
    expect(page.locator("main")).to_contain_text("办理解挂")
    check_page(page, "loss-done")
    assert Card.objects.get(pk=card.pk).state == "lost"
    assert (req.channel, req.citizen_id, req.status) == ("app", account.pk, "completed")

    page.get_by_role("link", name="查看办理进度").click()
    business = page.locator(f"[data-request='{req.request_no}']")
    expect(business).to_contain_text("社保卡挂失")
    expect(business).to_contain_text("已办结")
    expect(page.locator("main")).to_contain_text("正式挂失")
    expect(page.locator("main")).not_to_contain_text(card.card_no)
    check_page(page, "status")

    page.get_by_role("link", name="返回我的社保卡").click()
    expect(page.get_by_role("link", name=re.compile("社保卡挂失"))).to_have_count(0)
    page.get_by_role("link", name=re.compile("社保卡解挂")).click()
    expect(page.get_by_role("heading", name="解除挂失")).to_be_visible()
    check_page(page, "withdraw-check")
    page.get_by_role("button", name="确认解挂").click()
    expect(page.get_by_role("heading", name="社保卡解挂已办理")).to_be_visible()
    check_page(page, "withdraw-done")
    assert Card.objects.get(pk=card.pk).state == "active"

    events = list(AuditEvent.objects.filter(subject_type="card", subject_id=card.card_no).order_by("at")
                  .values_list("event_type", "actor_kind", "channel"))
    assert events == [("CARD_LOSS_REPORTED", "citizen", "app"), ("CARD_LOSS_WITHDRAWN", "citizen", "app")]
    assert AuditEvent.objects.filter(event_type="CITIZEN_SIGNED_IN", subject_id=str(account.pk)).count() == 1

    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("heading", name="登录重庆人社")).to_be_visible()
    expect(page.locator("main")).to_contain_text("您已安全退出")
    page.goto(f"{site}/app/tasks/")
    expect(page).to_have_url(re.compile("/app/sign-in/"))


def test_an_app_user_applies_for_a_card_one_question_a_page_on_a_phone(site, page, tmp_path):
    page.set_viewport_size({"width": 360, "height": 740})
    person = f.make_person(name="陈七")
    f.make_citizen(person)
    photo = tmp_path / "photo.jpg"
    photo.write_bytes(photo_bytes())
    blue = tmp_path / "blue.jpg"
    blue.write_bytes(photo_bytes(background=(40, 80, 200)))

    page.goto(f"{site}/app/sign-in/")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill("app-pass-123")
    page.get_by_role("button", name="登录").click()
    page.get_by_role("link", name=re.compile("社保卡申领")).click()
    expect(page.locator("main")).to_contain_text("第1步，共5步")
    check_page(page, "apply-1-delivery")
    page.get_by_label("邮寄到家").check()
    page.get_by_role("button", name="继续").click()
    expect(page.locator("main")).to_contain_text("第2步，共5步")
    page.get_by_label("邮寄地址").fill("重庆市渝北区龙溪街道8号")
    check_page(page, "apply-2-address")
    page.get_by_role("button", name="继续").click()
    expect(page.get_by_role("heading", name="上传您的证件照")).to_be_visible()
    page.get_by_label("上传您的证件照").set_input_files(str(blue))
    page.get_by_role("button", name="继续").click()
    expect(page.locator("[data-error-summary]")).to_contain_text("照片背景应为白色")  # checked before sending
    check_page(page, "apply-3-photo-refused")
    page.get_by_label("上传您的证件照").set_input_files(str(photo))
    page.get_by_role("button", name="继续").click()
    expect(page.get_by_role("heading", name="上传您的身份证照片")).to_be_visible()
    page.get_by_label("上传您的身份证照片").set_input_files(str(photo))
    check_page(page, "apply-4-document")
    page.get_by_role("button", name="继续").click()
    expect(page.get_by_role("heading", name="核对申领信息")).to_be_visible()
    expect(page.locator("main")).to_contain_text("重庆市渝北区龙溪街道8号")
    check_page(page, "apply-5-check")
    assert not ServiceRequest.objects.filter(applicant=person).exists()
    page.get_by_role("button", name="确认提交").click()

    req = ServiceRequest.objects.get(applicant=person)
    expect(page.get_by_role("heading", name="社保卡申领已办理")).to_be_visible()
    expect(page.locator("[data-request-no]")).to_have_text(req.request_no)
    check_page(page, "apply-done")
    assert (req.business, req.channel, req.status, req.delivery) == ("apply", "app", "pending_review", "post")
    events = set(AuditEvent.objects.filter(person_id=person.pk).values_list("event_type", flat=True))
    assert "REQUEST_SUBMITTED" in events, events
    page.get_by_role("link", name="查看办理进度").click()
    business = page.locator(f"[data-request='{req.request_no}']")
    expect(business).to_contain_text("待审核")
    expect(business).to_contain_text("预计办结")
    expect(business.locator(".app-step-current")).to_have_text(re.compile("^审核"))
    check_page(page, "apply-status")


def test_an_app_user_shows_the_ecard_qr_on_a_phone(site, page, settings):
    page.set_viewport_size({"width": 360, "height": 740})
    person = f.make_person(name="赵敏")
    card = f.make_card(person)
    f.make_citizen(person)

    page.goto(f"{site}/app/sign-in/")
    page.get_by_label("身份证号码").fill(person.id_number)
    page.get_by_label("密码").fill("app-pass-123")
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", name="我的社保卡", exact=True)).to_be_visible()
    page.get_by_role("link", name=re.compile("电子社保卡")).click()
    expect(page.get_by_role("heading", name="电子社保卡", exact=True)).to_be_visible()
    qr = page.get_by_role("img", name="电子社保卡二维码")
    expect(qr).to_be_visible()
    assert qr.evaluate("img => img.complete && img.naturalWidth") > 0  # the SVG image loaded under the CSP
    countdown = page.locator("[data-ecard-countdown]")
    expect(countdown).to_contain_text(re.compile(r"还剩 \d+ 秒失效"))
    expect(countdown).not_to_have_text(countdown.text_content())  # ecard.js counts down
    expect(page.locator("main")).not_to_contain_text(card.card_no)  # masked
    check_page(page, "ecard")
    first = qr.get_attribute("src")
    page.get_by_role("button", name="刷新二维码").click()
    expect(page.get_by_role("img", name="电子社保卡二维码")).not_to_have_attribute("src", first)  # a new code
    expect(page).to_have_url(re.compile("/app/ecard/$"))
    settings.ECARD_CODE_TTL_SECONDS = 2  # ecard.js loads a new code once this one has expired
    page.get_by_role("button", name="刷新二维码").click()
    expect(page.locator("[data-ecard]")).to_have_attribute("data-seconds-left", re.compile("^[0-2]$"))
    qr = page.get_by_role("img", name="电子社保卡二维码")
    expect(qr).not_to_have_attribute("src", qr.get_attribute("src"), timeout=8000)
