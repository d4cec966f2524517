"""The pages in English: switched on the sign-in page with the keyboard, kept after signing in (the window
workstation in English), and switched back to Chinese."""

import re

import pytest
from playwright.sync_api import expect

from sscard.testing import factories as f
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_english_from_the_sign_in_page_to_the_window_workstation_and_back(site, page):
    clerk = f.make_staff("clerk", f.make_outlet())
    page.goto(f"{site}/sign-in/")
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    switch = page.get_by_role("button", name="English")
    expect(switch).to_have_attribute("lang", "en")
    switch.focus()
    page.keyboard.press("Enter")  # a plain form button: the keyboard works it
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.get_by_role("heading", name="Staff sign-in")).to_be_visible()

    page.get_by_label("Username").fill(clerk.user.username)
    page.get_by_label("Password").fill("demo-pass-123")
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("heading", name="Window workstation", exact=True)).to_be_visible()
    expect(page).to_have_title(re.compile("^Window workstation · Chongqing Social Security Card System$"))
    expect(page.locator(".device-list")).to_contain_text("ID card reader")
    expect(page.locator("#queue")).to_contain_text("Queue:")
    expect(page.get_by_role("link", name="Card application")).to_be_visible()
    assert serious_violations(page) == []
    screenshot(page, "window-english")

    page.get_by_role("button", name="简体中文").click()
    expect(page.locator("html")).to_have_attribute("lang", "zh-CN")
    expect(page.get_by_role("heading", name="窗口工作台", exact=True)).to_be_visible()
    expect(page.get_by_role("button", name="English")).to_be_visible()
