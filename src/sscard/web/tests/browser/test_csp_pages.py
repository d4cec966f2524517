"""Under the Content-Security-Policy (django-csp, `'self'` only) the pages that are not the project's own
templates still work: the API docs (Swagger UI) and the admin's sign-in.  The ``site`` fixture fails on
any console error, which is how Chromium reports a blocked script or style."""

import pytest
from playwright.sync_api import expect

from sscard.web.tests.browser.conftest import screenshot

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_the_api_docs_render_under_the_policy(site, page):
    response = page.goto(f"{site}/api/v1/docs")
    assert "script-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator(".swagger-ui .info .title")).to_contain_text("社保卡")
    expect(page.locator(".opblock").first).to_be_visible()
    screenshot(page, "api-docs")


def test_the_admin_sign_in_renders_under_the_policy(site, page):
    response = page.goto(f"{site}/admin/login/")
    assert "style-src 'self'" in response.headers["content-security-policy"]
    expect(page.locator("#id_username")).to_be_visible()
    screenshot(page, "admin-sign-in")
