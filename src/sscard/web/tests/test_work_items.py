"""转办工单 through the Django test client: the 12333 desk's 转办网点 form (every problem at once, check
answers, the verified caller of the session only), the outlet's list (by due date, overdue in words) and
item page (accept, close, the callback number in full audited), another outlet refused, the supervisor's
menu and dashboard, the window home's link."""

import datetime as dt
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from sscard.core import clock
from sscard.desk.models import WorkItem
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.web.views.hotline import SESSION_KEY

pytestmark = pytest.mark.django_db
MONDAY = timezone.make_aware(dt.datetime(2026, 3, 2, 10, 0))
FORM = {"category": "预约办理", "note": "来电人要预约补办社保卡，请回电约时间",
        "contact_phone": "13912345678"}


@pytest.fixture
def target(db):
    return f.make_outlet(name="渝中区社保卡服务中心")


@pytest.fixture
def operator(client, card):
    staff = f.make_staff("hotline")
    client.force_login(staff.user)
    person = card.person
    resp = client.post(reverse("web:hotline"), {"card_no": card.card_no, "name": person.name,
                                                "id_number": person.id_number})
    assert resp.status_code == 302
    return staff


def form(outlet, **kw):
    return {"outlet": str(outlet.pk), **FORM, **kw}


def send(client, outlet, **kw):
    return client.post(reverse("web:hotline_work_item_submit"), form(outlet, **kw))


def as_staff(client, role, outlet=None):
    staff = f.make_staff(role, outlet)
    client.force_login(staff.user)
    return staff


# ---------------------------------------------------------------- the desk's 转办网点 form


def test_the_desk_offers_the_form_after_verification_with_active_outlets_and_the_catalogue_categories(
        client, operator, target):
    f.make_outlet(name="已停用网点", is_active=False)
    page = client.get(reverse("web:hotline")).content.decode()
    assert "<h2 id=\"work-item-title\">转办网点</h2>" in page
    assert f'<option value="{target.pk}">渝中区社保卡服务中心（渝中区）</option>' in page
    assert "已停用网点" not in page
    for category in ("预约办理", "业务咨询转办", "投诉建议", "补办材料"):
        assert f'<option value="{category}">{category}</option>' in page


def test_without_a_verified_caller_there_is_no_form_and_nothing_is_sent(client, target):
    as_staff(client, "hotline")
    assert "转办网点" not in client.get(reverse("web:hotline")).content.decode()
    for name in ("hotline_work_item", "hotline_work_item_edit", "hotline_work_item_submit"):
        resp = client.post(reverse(f"web:{name}"), form(target))
        assert resp.status_code == 302 and resp["Location"] == reverse("web:hotline")
    assert not WorkItem.objects.exists()


def test_every_problem_is_named_at_once_at_its_field(client, operator):
    resp = client.post(reverse("web:hotline_work_item"), {"outlet": "", "category": "x", "note": " ",
                                                          "contact_phone": "12"})
    page = resp.content.decode()
    assert resp.status_code == 400 and "<title>错误：" in page and "未能转办" in page
    for field in ("outlet", "category", "note", "contact_phone"):
        assert f'href="#field-{field}"' in page and f'id="{field}-error"' in page
    assert 'value="12"' in page  # what was typed is kept
    assert not WorkItem.objects.exists()


def test_check_answers_shows_the_draft_then_edit_goes_back_with_it(client, operator, target, adult):
    resp = client.post(reverse("web:hotline_work_item"), form(target))
    page = resp.content.decode()
    assert resp.status_code == 200 and "转办网点：核对信息" in page
    assert "渝中区社保卡服务中心" in page and "来电人要预约补办社保卡" in page and "13912345678" in page
    assert "张*" in page and adult.masked_id_number in page and adult.id_number not in page
    assert "3 个工作日内办结" in page and page.count(">修改<") == 5
    assert not WorkItem.objects.exists()
    back = client.post(reverse("web:hotline_work_item_edit"), {**form(target), "focus": "note"})
    back = back.content.decode()
    assert re.search(r'<textarea id="field-note"[^>]*autofocus', back.replace("\n", " "))
    assert f'<option value="{target.pk}" selected>' in back and "请回电约时间</textarea>" in back


def test_sending_makes_the_item_for_the_caller_of_the_session_whatever_the_form_says(
        client, operator, target, adult, card):
    clock.freeze(MONDAY)
    client.post(reverse("web:hotline"), {"card_no": card.card_no, "name": adult.name,
                                         "id_number": adult.id_number})
    other = f.make_person(name="李四")
    forged = {"person": str(other.pk), "person_id": str(other.pk), "card": str(f.make_card(other).pk)}
    resp = send(client, target, **forged)
    page = resp.content.decode()
    item = WorkItem.objects.get()
    assert resp.status_code == 200 and "已转办网点" in page and item.work_item_no in page
    assert (item.person_id, item.card_id, item.outlet_id, item.created_by_id) == (
        adult.pk, card.pk, target.pk, operator.pk)
    assert "2026年3月5日" in page and "139****5678" in page and "13912345678" not in page
    assert audit_types(item.work_item_no) == ["WORK_ITEM_CREATED"]
    desk = client.get(reverse("web:hotline")).content.decode()  # the caller's items, on the desk
    assert "来电人的转办工单" in desk and item.work_item_no in desk


def test_a_second_send_is_refused_on_the_check_page_with_the_open_item(client, operator, target):
    send(client, target)
    resp = send(client, target)
    page = resp.content.decode()
    assert resp.status_code == 409 and "WORK_ITEM_DUPLICATE" in page
    assert WorkItem.objects.get().work_item_no in page
    assert WorkItem.objects.count() == 1


def test_a_caller_of_another_operator_in_the_session_is_not_trusted(client, operator, target):
    kept = client.session[SESSION_KEY]
    as_staff(client, "hotline")
    session = client.session
    session[SESSION_KEY] = kept
    session.save()
    resp = send(client, target)
    assert resp.status_code == 302 and not WorkItem.objects.exists()


@pytest.mark.parametrize("role", ["clerk", "reviewer", "supervisor", "auditor", "admin"])
def test_other_roles_cannot_send(client, role, target):
    as_staff(client, role, target if role == "clerk" else None)
    for name in ("hotline_work_item", "hotline_work_item_edit", "hotline_work_item_submit"):
        assert client.post(reverse(f"web:{name}"), form(target)).status_code == 403
    assert not WorkItem.objects.exists()


@pytest.mark.parametrize("data", [
    {"outlet": "x" * 5000, "category": "\x00", "note": "长" * 9000, "contact_phone": "<script>"},
    {"outlet": ["1", "2"]}, {"outlet": "99999999999999999999999", "note": "\x00\x01"}, {},
])
def test_bad_input_is_never_a_5xx(client, operator, data):
    for name in ("hotline_work_item", "hotline_work_item_edit", "hotline_work_item_submit"):
        resp = client.post(reverse(f"web:{name}"), data)
        assert resp.status_code in (200, 400) and "<script>" not in resp.content.decode()
    assert not WorkItem.objects.exists()


# ---------------------------------------------------------------- the outlet's list and item page


@pytest.fixture
def sent(client, operator, target):
    """Two items sent to the target outlet (Monday, then Tuesday) and one elsewhere; the client signed out."""
    clock.freeze(MONDAY)
    send(client, target, category="投诉建议")
    clock.freeze(MONDAY + dt.timedelta(days=1))
    send(client, target)
    send(client, f.make_outlet(name="江北区社保卡服务中心"), category="补办材料")
    client.logout()
    return list(WorkItem.objects.order_by("id"))


def test_the_clerk_sees_their_outlets_items_by_due_date_with_overdue_in_words(client, sent, target, adult):
    first, second, elsewhere = sent
    as_staff(client, "clerk", target)
    clock.freeze(MONDAY + dt.timedelta(days=4))  # Friday: the first is past its Thursday
    home = client.get(reverse("web:window")).content.decode()
    assert "12333转办工单：待办 2 件" in home and "其中已超期 1 件" in home
    resp = client.get(reverse("web:work_items"))
    page = resp.content.decode()
    assert resp.status_code == 200 and "转办工单：渝中区社保卡服务中心" in page
    assert page.index(first.work_item_no) < page.index(second.work_item_no)
    assert elsewhere.work_item_no not in page
    assert re.search(rf'<tr class="overdue">\s*<th scope="row"><a[^>]*>{first.work_item_no}', page)
    assert '<span class="urgency-text urgency-overdue">已超期</span>' in page
    assert "张*" in page and adult.masked_id_number in page and adult.id_number not in page
    assert "13912345678" not in page and 'data-device="card_printer"' in page  # the window's layout


def test_the_clerk_accepts_and_closes_an_item_with_its_result(client, sent, target):
    item = sent[0]
    clerk = as_staff(client, "clerk", target)
    url = reverse("web:work_item", kwargs={"no": item.work_item_no})
    page = client.get(url).content.decode()
    assert "待受理" in page and "受理工单" in page and "办结工单" not in page and "撤销工单" not in page
    assert "139****5678" in page and "13912345678" not in page and "来电人要预约补办社保卡" in page
    resp = client.post(reverse("web:work_item_accept", kwargs={"no": item.work_item_no}))
    assert resp.status_code == 302 and resp["Location"] == url
    page = client.get(url).content.decode()
    assert "已受理该工单" in page and "已受理" in page and "办结工单" in page
    resp = client.post(reverse("web:work_item_close", kwargs={"no": item.work_item_no}), {"result_note": " "})
    page = resp.content.decode()
    assert resp.status_code == 400 and "<title>错误：" in page and 'href="#field-result_note"' in page
    resp = client.post(reverse("web:work_item_close", kwargs={"no": item.work_item_no}),
                       {"result_note": "已回电，预约周三上午到窗口"})
    assert resp.status_code == 302
    row = WorkItem.objects.get(pk=item.pk)
    assert (row.state, row.result_note, row.accepted_by_id, row.closed_by_id) == (
        "closed", "已回电，预约周三上午到窗口", clerk.pk, clerk.pk)
    assert audit_types(item.work_item_no) == ["WORK_ITEM_CREATED", "WORK_ITEM_ACCEPTED", "WORK_ITEM_CLOSED"]
    done = client.get(reverse("web:work_items") + "?tab=done").content.decode()
    assert item.work_item_no in done
    assert client.post(reverse("web:work_item_accept", kwargs={"no": item.work_item_no})).status_code == 409


def test_the_full_callback_number_on_request_only_and_audited(client, sent, target):
    item = sent[0]
    as_staff(client, "clerk", target)
    resp = client.post(reverse("web:work_item_phone", kwargs={"no": item.work_item_no}))
    page = resp.content.decode()
    assert resp.status_code == 200 and "<strong>13912345678</strong>" in page
    assert resp["Cache-Control"] == "no-store"
    assert audit_types(item.work_item_no).count("WORK_ITEM_PHONE_VIEWED") == 1
    again = client.get(reverse("web:work_item", kwargs={"no": item.work_item_no}))
    assert "13912345678" not in again.content.decode()


def test_a_clerk_of_another_outlet_neither_sees_nor_changes_it(client, sent):
    item = sent[0]
    as_staff(client, "clerk", f.make_outlet())
    assert item.work_item_no not in client.get(reverse("web:work_items")).content.decode()
    for resp in (client.get(reverse("web:work_item", kwargs={"no": item.work_item_no})),
                 client.post(reverse("web:work_item_accept", kwargs={"no": item.work_item_no})),
                 client.post(reverse("web:work_item_phone", kwargs={"no": item.work_item_no}))):
        assert resp.status_code == 404 and "未找到该转办工单" in resp.content.decode()
    assert WorkItem.objects.get(pk=item.pk).state == "open"
    assert audit_types(item.work_item_no) == ["WORK_ITEM_CREATED"]


@pytest.mark.parametrize("role", ["reviewer", "auditor", "admin"])
def test_other_roles_are_refused_the_pages(client, sent, role):
    as_staff(client, role)
    no = sent[0].work_item_no
    for resp in (client.get(reverse("web:work_items")),
                 client.get(reverse("web:work_item", kwargs={"no": no})),
                 client.post(reverse("web:work_item_accept", kwargs={"no": no})),
                 client.post(reverse("web:work_item_cancel", kwargs={"no": no}), {"reason": "x"})):
        assert resp.status_code == 403
    assert WorkItem.objects.get(pk=sent[0].pk).state == "open"


def test_the_operator_who_sent_it_cancels_it_another_operator_does_not_see_it(client, sent):
    item = sent[0]
    client.force_login(item.created_by.user)
    url = reverse("web:work_item", kwargs={"no": item.work_item_no})
    page = client.get(url).content.decode()
    assert "撤销工单" in page and "受理工单" not in page and "查看完整号码" not in page
    resp = client.post(reverse("web:work_item_cancel", kwargs={"no": item.work_item_no}), {"reason": ""})
    assert resp.status_code == 400 and 'href="#field-reason"' in resp.content.decode()
    client.post(reverse("web:work_item_cancel", kwargs={"no": item.work_item_no}),
                {"reason": "来电人已自行办理"})
    assert WorkItem.objects.get(pk=item.pk).state == "cancelled"
    as_staff(client, "hotline")
    assert client.get(url).status_code == 404


def test_the_supervisor_finds_it_in_the_menu_filters_by_outlet_and_sees_overdue_items_on_the_dashboard(
        client, sent, target):
    first, second, elsewhere = sent
    as_staff(client, "supervisor")
    clock.freeze(MONDAY + dt.timedelta(days=4))
    assert f'href="{reverse("web:work_items")}"' in client.get("/").content.decode()
    page = client.get(reverse("web:work_items")).content.decode()
    assert all(i.work_item_no in page for i in sent) and 'aria-current="page">转办工单' in page
    page = client.get(reverse("web:work_items"), {"outlet": elsewhere.outlet_id}).content.decode()
    assert elsewhere.work_item_no in page and first.work_item_no not in page
    board = client.get("/supervisor/").content.decode()
    assert "超期转办工单 1 件" in board and 'id="overdue-work-items"' in board
    assert first.work_item_no in board and second.work_item_no not in board


@pytest.mark.parametrize("query", [{"outlet": "x"}, {"outlet": "9" * 30}, {"tab": "<b>"}, {"phone": "abc"},
                                   {"phone": "\x00"}])
def test_bad_list_queries_are_never_a_5xx(client, sent, target, query):
    as_staff(client, "supervisor")
    resp = client.get(reverse("web:work_items"), query)
    assert resp.status_code in (200, 400)


def test_the_list_finds_an_item_by_its_callback_number(client, sent, target):
    as_staff(client, "clerk", target)
    page = client.get(reverse("web:work_items"), {"phone": "139 1234 5678"}).content.decode()
    assert sent[0].work_item_no in page and sent[1].work_item_no in page
    page = client.get(reverse("web:work_items"), {"phone": "13800000000"}).content.decode()
    assert "没有待办的转办工单" in page
