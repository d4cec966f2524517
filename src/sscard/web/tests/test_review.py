"""审核 pages: the queue by tab and urgency, the case page (claim, full data audited, images), decisions."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from sscard.archive.models import ArchiveItem
from sscard.audit.models import AuditEvent
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.desk.production import app_production_due
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import app_application, snapshot

pytestmark = pytest.mark.django_db
# Monday 2 March 2026, 10:00 in Chongqing: an application made now is due at the end of Monday 9 March
T0 = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))


def signed_in(client, role, outlet=None):
    staff = f.make_staff(role, outlet)
    client.force_login(staff.user)
    return staff


def case_url(req, name="web:review_case", **kw):
    return reverse(name, args=[req.request_no], kwargs=kw or None)


@pytest.fixture
def case(db, django_capture_on_commit_callbacks):
    clock.freeze(T0)
    with django_capture_on_commit_callbacks(execute=True):  # the images reach storage after the commit
        return app_application(f.make_person(name="王小明"))


def _row(req):
    return ServiceRequest.objects.get(pk=req.pk)


# ---------------------------------------------------------------- access


def test_without_a_session_every_review_page_sends_to_sign_in(client, case):
    for url in (reverse("web:review_queue"), case_url(case)):
        resp = client.get(url)
        assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:sign_in"))
    assert client.post(case_url(case, "web:review_approve")).status_code == 302
    assert _row(case).status == "pending_review"


@pytest.mark.parametrize("role", ["clerk", "hotline", "auditor", "admin"])
def test_other_roles_are_refused_and_change_nothing(client, case, role):
    signed_in(client, role, f.make_outlet() if role == "clerk" else None)
    before = snapshot(case)
    for resp in (client.get(reverse("web:review_queue")), client.get(case_url(case)),
                 client.post(case_url(case, "web:review_approve")),
                 client.post(case_url(case, "web:review_reject"), {"item": "photo", "reason": "x"})):
        assert resp.status_code == 403 and "审核须由审核员办理" in resp.content.decode()
    assert snapshot(case) == before and _row(case).review_claimed_by_id is None


def test_a_reviewer_lands_on_the_queue_from_the_start_page(client):
    signed_in(client, "reviewer")
    assert client.get(reverse("web:start"))["Location"] == reverse("web:review_queue")


# ---------------------------------------------------------------- the queue


def test_the_queue_is_masked_sorted_and_grouped_by_urgency(client):
    # a submission due by the end of today (whatever the holiday calendar), and one due before it
    due_today = next(T0 - dt.timedelta(days=d) for d in range(1, 30)
                     if app_production_due(T0 - dt.timedelta(days=d)).due_at.date() == T0.date())
    clock.freeze(due_today - dt.timedelta(days=10))
    overdue = app_application(f.make_person(name="赵一"))
    clock.freeze(due_today)
    today = app_application(f.make_person(name="钱二"))
    clock.freeze(T0)
    later = app_application(f.make_person(name="孙三"))
    signed_in(client, "reviewer")
    page = client.get(reverse("web:review_queue")).content.decode()
    assert page.index("已超期") < page.index("今日到期") < page.index("未到期")
    assert page.index(overdue.request_no) < page.index(today.request_no) < page.index(later.request_no)
    assert "赵*" in page and "赵一" not in page and today.applicant.id_number not in page
    assert today.applicant.masked_id_number in page
    assert 'aria-current="page">待审' in page and "（3）" in page


def test_the_tabs_list_rejected_and_approved_cases(client, case):
    other = app_application(f.make_person(name="周五"))
    reviewer = signed_in(client, "reviewer")
    client.post(case_url(case, "web:review_reject"), {"item": "photo", "reason": "照片背景不是白色"})
    client.post(case_url(other, "web:review_approve"))
    client.get(reverse("web:review_queue"))  # the two notices of the decisions are shown (once) here
    rejected = client.get(reverse("web:review_queue"), {"tab": "rejected"}).content.decode()
    assert case.request_no in rejected and other.request_no not in rejected
    assert "登记照" in rejected and "照片背景不是白色" in rejected
    approved = client.get(reverse("web:review_queue"), {"tab": "approved"}).content.decode()
    assert other.request_no in approved and "制卡中" in approved and case.request_no not in approved
    assert "暂无待审核的申请" in client.get(reverse("web:review_queue"), {"tab": "bogus"}).content.decode()
    assert reviewer  # both decided by the one signed-in reviewer


# ---------------------------------------------------------------- the case page


def test_opening_a_case_claims_it_shows_the_full_data_and_images_and_audits(client, case):
    reviewer = signed_in(client, "reviewer")
    resp = client.get(case_url(case))
    page = resp.content.decode()
    assert resp.status_code == 200
    assert "王小明" in page and case.applicant.id_number in page  # the reviewer compares the full values
    assert _row(case).review_claimed_by_id == reviewer.pk
    images = ArchiveItem.objects.filter(subject_id=case.request_no)
    for item in images:
        assert reverse("web:review_image", args=[case.request_no, item.pk]) in page
    assert "登记照" in page and "申办人身份证明图片" in page
    assert audit_types(case.request_no)[-2:] == ["REQUEST_REVIEW_CLAIMED", "PERSON_VIEWED_IN_FULL"]


def test_images_are_served_through_the_audited_service_and_never_cached(client, case):
    signed_in(client, "reviewer")
    photo = ArchiveItem.objects.get(subject_id=case.request_no, kind="photo")
    resp = client.get(reverse("web:review_image", args=[case.request_no, photo.pk]))
    assert resp.status_code == 200 and resp["Content-Type"] == "image/jpeg" and resp["Cache-Control"] == "no-store"
    assert resp.content[:2] == b"\xff\xd8"
    assert AuditEvent.objects.filter(event_type="EVIDENCE_VIEWED", subject_id=case.request_no).count() == 1
    assert client.get(reverse("web:review_image", args=[case.request_no, 999999])).status_code == 404


def test_a_second_reviewer_gets_409_naming_the_holder_and_nothing_changes(client, case):
    holder = signed_in(client, "reviewer")
    client.get(case_url(case))
    signed_in(client, "reviewer")
    before = snapshot(case)
    resp = client.get(case_url(case))
    page = resp.content.decode()
    assert resp.status_code == 409 and holder.display_name in page and "王小明" not in page
    assert "只有主管可以改派" in page
    for resp in (client.post(case_url(case, "web:review_approve")),
                 client.post(case_url(case, "web:review_reject"), {"item": "photo", "reason": "不清晰"})):
        assert resp.status_code == 409 and holder.display_name in resp.content.decode()
    assert client.post(case_url(case, "web:review_release")).status_code == 403
    assert snapshot(case) == before and _row(case).review_claimed_by_id == holder.pk


def test_a_supervisor_reassigns_or_releases_a_held_case(client, case):
    holder = signed_in(client, "reviewer")
    client.get(case_url(case))
    other = f.make_staff("reviewer")
    supervisor = signed_in(client, "supervisor")
    resp = client.get(case_url(case))
    page = resp.content.decode()
    assert resp.status_code == 409 and "主管操作" in page and f'value="{other.pk}"' in page
    resp = client.post(case_url(case, "web:review_reassign"), {"to_staff": other.pk})
    assert resp.status_code == 302 and _row(case).review_claimed_by_id == other.pk
    assert "已改派给" in client.get(resp["Location"]).content.decode()
    assert client.post(case_url(case, "web:review_reassign"), {"to_staff": "x"}).status_code == 400
    assert client.post(case_url(case, "web:review_release")).status_code == 302
    assert _row(case).review_claimed_by_id is None
    assert client.get(case_url(case)).status_code == 200  # now the supervisor's own claim
    assert _row(case).review_claimed_by_id == supervisor.pk != holder.pk
    assert audit_types(case.request_no).count("REQUEST_REVIEW_REASSIGNED") == 1


def test_an_expired_claim_lets_another_reviewer_take_the_case(client, case, settings):
    settings.SSCARD_REVIEW_CLAIM_MINUTES = 30
    first = signed_in(client, "reviewer")
    client.get(case_url(case))
    second = signed_in(client, "reviewer")
    clock.advance(dt.timedelta(minutes=29))
    assert client.get(case_url(case)).status_code == 409
    clock.advance(dt.timedelta(minutes=2))
    assert client.get(case_url(case)).status_code == 200
    assert _row(case).review_claimed_by_id == second.pk != first.pk
    client.force_login(first.user)
    assert client.post(case_url(case, "web:review_approve")).status_code == 409


# ---------------------------------------------------------------- decisions


def test_control_characters_in_a_reason_or_note_are_dropped(client, case):
    other = app_application(f.make_person(name="吴六"))
    signed_in(client, "reviewer")
    assert client.post(case_url(case, "web:review_reject"), {"item": "photo", "reason": "照片\x00模糊\n请重拍"}).status_code == 302
    assert client.post(case_url(other, "web:review_approve"), {"note": "\x00\x01"}).status_code == 302
    assert _row(case).rejection["reason"] == "照片模糊\n请重拍" and _row(other).review_note == ""


def test_approve_moves_the_case_to_production_and_says_so(client, case):
    signed_in(client, "reviewer")
    client.get(case_url(case))
    resp = client.post(case_url(case, "web:review_approve"), {"note": "材料齐全"})
    assert resp.status_code == 302 and resp["Location"].startswith(reverse("web:review_queue"))
    row = _row(case)
    assert (row.status, row.review_note, row.review_claimed_by_id) == ("in_production", "材料齐全", None)
    assert f"业务 {case.request_no} 已审核通过" in client.get(resp["Location"]).content.decode()
    assert audit_types(case.request_no)[-1] == "REQUEST_APPROVED"


def test_reject_is_tied_to_the_item_it_concerns(client, case):
    signed_in(client, "reviewer")
    page = client.get(case_url(case), {"item": "photo"}).content.decode()
    assert '<option value="photo" selected>' in page  # 此项不通过 next to the photo preselects it
    resp = client.post(case_url(case, "web:review_reject"), {"item": "photo", "reason": "照片背景不是白色"})
    assert resp.status_code == 302
    row = _row(case)
    assert row.status == "rejected" and row.rejection == {"item": "photo", "item_label": "登记照",
                                                           "reason": "照片背景不是白色"}
    event = AuditEvent.objects.get(event_type="REQUEST_REJECTED", subject_id=case.request_no)
    assert (event.data["item"], event.data["reason"], event.data["claimed"]) == ("photo", "照片背景不是白色", True)
    page = client.get(case_url(case)).content.decode()  # closed: masked, no claim, no full view
    assert "登记照" in page and "王小明" not in page and "王**" in page


@pytest.mark.parametrize(("data", "fields"), [
    ({}, ["item", "reason"]),
    ({"item": "photo", "reason": "   "}, ["reason"]),
    ({"item": "nose", "reason": "照片模糊"}, ["item"]),
    ({"item": "x" * 5000, "reason": "y" * 5000}, ["item"]),
])
def test_bad_reject_input_is_shown_at_its_fields_never_a_5xx_and_changes_nothing(client, case, data, fields):
    signed_in(client, "reviewer")
    client.get(case_url(case))
    before = snapshot(case)
    resp = client.post(case_url(case, "web:review_reject"), data)
    page = resp.content.decode()
    assert resp.status_code == 400 and "<title>错误：" in page
    for field in fields:
        assert f'href="#field-{field}"' in page and f'id="{field}-error"' in page
    assert snapshot(case)[:2] == before[:2] and _row(case).rejection == {}


@pytest.mark.parametrize("no", ["YW0000", "nothing-here", "x" * 300, "%00", "YW2026030200000000"])
def test_unknown_or_hostile_request_numbers_are_404_pages(client, no):
    signed_in(client, "reviewer")
    for resp in (client.get(f"/review/{no}/"), client.post(f"/review/{no}/approve/"),
                 client.post(f"/review/{no}/reject/", {"item": "photo", "reason": "x"}),
                 client.get(f"/review/{no}/images/1/")):
        assert resp.status_code == 404, resp.content[:200]


def test_decisions_are_posts(client, case):
    signed_in(client, "supervisor")
    for name in ("web:review_approve", "web:review_reject", "web:review_release", "web:review_reassign"):
        assert client.get(case_url(case, name)).status_code == 405
    assert _row(case).status == "pending_review"


def test_a_decided_case_cannot_be_decided_again(client, case):
    signed_in(client, "reviewer")
    client.post(case_url(case, "web:review_approve"))
    before = snapshot(case)
    resp = client.post(case_url(case, "web:review_reject"), {"item": "photo", "reason": "x"})
    assert resp.status_code == 409 and "REQUEST_STATE_CONFLICT" in resp.content.decode()
    assert snapshot(case) == before
