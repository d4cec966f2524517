"""The Playwright + Chromium pair works, staff sign in and out, the idle warning counts down."""

import re

import pytest
from playwright.sync_api import expect

from sscard.testing import factories as f
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot, sign_in

DRAWS_DIFFERENTLY = """([a, b]) => {
    const font = getComputedStyle(document.body).fontFamily;
    const draw = (text) => { const c = document.createElement('canvas'); c.width = 120; c.height = 60;
        const g = c.getContext('2d'); g.font = '40px ' + font; g.fillText(text, 0, 45); return c.toDataURL(); };
    return draw(a) !== draw(b);
}"""

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_browser_pair_works_and_chinese_renders(site, page):
    """Smoke test: when a Playwright upgrade and Debian's Chromium stop working together, this fails first."""
    page.goto(f"{site}/sign-in/")
    expect(page).to_have_title(re.compile("工作人员登录|重庆市社保卡经办系统"))
    expect(page.get_by_role("heading", name="工作人员登录")).to_be_visible()
    # Chinese takes real glyphs: drawn in the page's font, 社保 must differ from a character no font has
    # (the "tofu" box that every missing glyph gets)
    assert page.evaluate(DRAWS_DIFFERENTLY, ["社保", "\U0010fffd\U0010fffd"])
    assert serious_violations(page) == []
    screenshot(page, "sign-in")


def test_a_wrong_password_then_the_right_one(site, page):
    outlet = f.make_outlet()
    clerk = f.make_staff("clerk", outlet)
    clerk.window = "3号窗口"
    clerk.save()
    sign_in(page, site, clerk, password="wrong")
    expect(page).to_have_title(re.compile("^错误："))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("用户名或密码错误")
    page.get_by_label("密码").fill("demo-pass-123")
    page.get_by_role("button", name="登录").click()
    expect(page.locator(".site-header")).to_contain_text(clerk.display_name)
    expect(page.locator(".site-header")).to_contain_text("3号窗口")
    page.get_by_role("button", name="退出登录").click()
    expect(page.get_by_role("status")).to_contain_text("您已退出登录")


def test_the_idle_warning_counts_down_continues_and_then_signs_out(site, page, settings):
    settings.SESSION_COOKIE_AGE = 23  # warn 20 s before the end: the dialog opens after ~3 s
    sign_in(page, site, f.make_staff("auditor"))
    dialog = page.locator("#idle-warning")
    expect(dialog).to_be_visible(timeout=8_000)
    expect(dialog).to_contain_text("秒")
    assert serious_violations(page) == []
    screenshot(page, "idle-warning")
    page.get_by_role("button", name="继续办理").click()
    expect(dialog).to_be_hidden()
    expect(dialog).to_be_visible(timeout=8_000)  # the clock restarted: warned again after ~3 s
    expect(page.get_by_role("status")).to_contain_text("已长时间未操作", timeout=30_000)
    assert "/sign-in/" in page.url
