"""审核 in the browser: a reviewer approves one app application and rejects another for its photo; a second
reviewer finds a claimed case locked."""

import datetime as dt
import re

import pytest
from playwright.sync_api import expect

from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.testing import factories as f
from sscard.testing.desk import app_application
from sscard.web.tests.browser.axe import serious_violations
from sscard.web.tests.browser.conftest import screenshot, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def _row(req) -> ServiceRequest:
    return ServiceRequest.objects.get(pk=req.pk)


def test_a_reviewer_approves_one_application_and_rejects_another_for_its_photo(site, page):
    clock.freeze(clock.now() - dt.timedelta(days=20))  # waiting past its 5 working days
    late = app_application(f.make_person(name="陈晓东", birth_date=f.adult_birth().replace(year=1978)))
    clock.reset()
    first = app_application(f.make_person(name="王小明"))
    second = app_application(f.make_person(name="李小红", birth_date=f.adult_birth().replace(year=1992)))
    reviewer = f.make_staff("reviewer")
    sign_in(page, site, reviewer)

    expect(page.get_by_role("heading", name="网上申领审核")).to_be_visible()
    expect(page.get_by_role("link", name=re.compile("^待审"))).to_have_attribute("aria-current", "page")
    expect(page.locator("main")).to_contain_text("王**")
    expect(page.locator("main")).not_to_contain_text("王小明")
    overdue = page.get_by_role("region", name=re.compile("已超期"))
    expect(overdue).to_contain_text(late.request_no)
    expect(page.get_by_role("region", name=re.compile("未到期"))).to_contain_text(first.request_no)
    assert serious_violations(page) == []
    screenshot(page, "review-queue")

    page.get_by_role("link", name=f"审核 {first.request_no}").click()
    expect(page.get_by_role("heading", name=f"审核 {first.request_no}")).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("登记照"))).to_be_visible()
    expect(page.get_by_role("img", name=re.compile("申办人身份证明图片"))).to_be_visible()
    expect(page.locator(".review-data")).to_contain_text("王小明")
    page.wait_for_function("() => [...document.images].every(i => i.complete && i.naturalWidth > 0)")
    assert serious_violations(page) == []
    screenshot(page, "review-case")
    page.get_by_role("button", name="审核通过").click()
    expect(page.get_by_role("status").first).to_contain_text(f"业务 {first.request_no} 已审核通过")
    assert _row(first).status == "in_production"

    page.get_by_role("link", name=f"审核 {second.request_no}").click()
    page.get_by_role("button", name="审核不通过并退回").click()  # nothing chosen: both fields named
    expect(page).to_have_title(re.compile("^错误："))
    summary = page.locator("[data-error-summary]")
    expect(summary).to_be_focused()
    expect(summary).to_contain_text("请选择审核不通过所涉及的项目")
    expect(summary).to_contain_text("审核不通过必须填写原因")
    assert serious_violations(page) == []
    screenshot(page, "review-reject-errors")
    assert _row(second).status == "pending_review"

    page.locator("figure", has_text="登记照").get_by_role("link", name="此项不通过").click()
    expect(page.get_by_label("不通过的项目")).to_have_value("photo")
    page.get_by_label("原因（将告知申请人）").fill("照片背景不是白色，请重新上传白底免冠照片")
    page.get_by_role("button", name="审核不通过并退回").click()
    expect(page.get_by_role("status").first).to_contain_text("审核不通过（登记照）")
    row = _row(second)
    assert row.status == "rejected" and row.rejection["item"] == "photo"
    assert row.rejection["reason"] == "照片背景不是白色，请重新上传白底免冠照片"

    page.get_by_role("link", name=re.compile("^已退回")).click()
    expect(page.locator("main table")).to_contain_text("登记照")
    assert serious_violations(page) == []
    screenshot(page, "review-rejected")

    events = {e.subject_id: e for e in AuditEvent.objects.filter(event_type__in=["REQUEST_APPROVED",
                                                                                  "REQUEST_REJECTED"])}
    assert (events[first.request_no].event_type, events[first.request_no].actor_id) == ("REQUEST_APPROVED",
                                                                                         reviewer.pk)
    assert events[second.request_no].event_type == "REQUEST_REJECTED"
    assert events[second.request_no].data["item"] == "photo" and events[second.request_no].data["claimed"]
    for req in (first, second):
        types = set(AuditEvent.objects.filter(subject_id=req.request_no).values_list("event_type", flat=True))
        assert {"REQUEST_REVIEW_CLAIMED", "PERSON_VIEWED_IN_FULL", "EVIDENCE_VIEWED"} <= types


def test_a_case_being_reviewed_is_locked_for_another_reviewer_and_a_supervisor_takes_it_over(
        site, page, browser, browser_context_args):
    case = app_application(f.make_person(name="赵大海"))
    holder = f.make_staff("reviewer")
    sign_in(page, site, holder)
    page.goto(f"{site}/review/{case.request_no}/")
    expect(page.get_by_role("heading", name=f"审核 {case.request_no}")).to_be_visible()

    other = browser.new_context(**browser_context_args).new_page()
    sign_in(other, site, f.make_staff("supervisor"))
    response = other.goto(f"{site}/review/{case.request_no}/")
    assert response.status == 409
    expect(other.get_by_role("alert")).to_contain_text(holder.display_name)
    expect(other.locator("main")).not_to_contain_text("赵大海")
    assert serious_violations(other) == []
    screenshot(other, "review-claimed")
    other.get_by_role("button", name="改派").click()  # to the supervisor (preselected)
    expect(other.get_by_role("status").first).to_contain_text("已改派给")
    other.context.close()
    assert _row(case).review_claimed_by.role == "supervisor"

    page.get_by_role("button", name="审核通过").click()  # the first reviewer's claim is gone
    expect(page.get_by_role("alert")).to_contain_text("正由")
    assert _row(case).status == "pending_review"
