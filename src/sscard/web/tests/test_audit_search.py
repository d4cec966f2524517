"""审计日志查询 through the Django test client: who may search, the filters (subject number, event type,
actor, time), paging, bad input answered with a message, masked data only, read-only."""

import datetime as dt

import pytest
from django.db import transaction

from sscard.audit.models import AuditEvent
from sscard.audit.services import audit_record
from sscard.core import clock
from sscard.staff.actors import Actor
from sscard.testing import factories as f
from sscard.testing.desk import apply_body, req_of

pytestmark = pytest.mark.django_db

CST = dt.timezone(dt.timedelta(hours=8))
MON = dt.datetime(2026, 3, 2, 9, 0, tzinfo=CST)
URL = "/supervisor/audit/"


def signed_in(client, role):
    client.force_login(f.make_staff(role, f.make_outlet() if role == "clerk" else None).user)
    return client


@pytest.fixture
def auditor_client(client):
    return signed_in(client, "auditor")


def record(event_type="CONFIG_CHANGED", *, actor=None, subject_type="fees.feerule", subject_id="1", **kw):
    with transaction.atomic():
        return audit_record(event_type=event_type, actor=actor or Actor.system("测试"), subject_type=subject_type,
                            subject_id=subject_id, **kw)


@pytest.mark.parametrize("role", ["clerk", "hotline", "reviewer"])
def test_other_roles_are_refused(client, role):
    resp = signed_in(client, role).get(URL)
    assert resp.status_code == 403 and "审计日志只能由主管、审计员或系统管理员查询" in resp.content.decode()


@pytest.mark.parametrize("role", ["supervisor", "auditor", "admin"])
def test_supervisors_auditors_and_admins_search(client, role):
    record()
    resp = signed_in(client, role).get(URL)
    assert resp.status_code == 200 and resp.context["result"]["total"] >= 1


def test_an_auditor_lands_on_the_search_and_sees_no_settings(auditor_client):
    resp = auditor_client.get("/")
    assert resp.status_code == 302 and resp["Location"] == URL  # the only area an auditor has
    assert auditor_client.get("/supervisor/settings/").status_code == 403


def test_a_request_number_finds_its_events_and_the_card_events_naming_it(auditor_client, clerk_api, outlet):
    clock.freeze(MON)
    req = req_of(clerk_api.post("/applications", apply_body(name="欧阳娜娜")))
    other = req_of(clerk_api.post("/applications", apply_body(name="王五")))
    resp = auditor_client.get(URL, {"number": req.request_no})
    types = [r["event_type"] for r in resp.context["result"]["rows"]]
    assert "REQUEST_SUBMITTED" in types and "CARD_MADE" in types and "EVIDENCE_ARCHIVED" in types
    assert all(other.request_no not in (r["subject_id"], r["data"].get("request_no")) for r in resp.context["result"]["rows"])
    page = resp.content.decode()
    assert "业务受理" in page and "欧阳娜娜" not in page and req.applicant.id_number not in page
    card_no = req.new_card.card_no
    rows = auditor_client.get(URL, {"number": card_no, "subject_type": "card"}).context["result"]["rows"]
    assert [r["event_type"] for r in rows] == ["CARD_HANDED_OVER", "CARD_MADE"]


def test_filters_by_event_type_actor_role_and_time(auditor_client):
    alice = Actor(kind="staff", role="supervisor", name="李主管", channel="back_office", staff_id=1)
    clock.freeze(MON)
    record(actor=alice)
    clock.freeze(MON + dt.timedelta(hours=2))
    record("CONFIG_ADDED")
    clock.freeze(MON + dt.timedelta(days=1))
    rows = lambda **q: auditor_client.get(URL, q).context["result"]["rows"]  # noqa: E731
    assert [r["event_type"] for r in rows(event_type="CONFIG_ADDED")] == ["CONFIG_ADDED"]
    assert [r["actor_name"] for r in rows(actor_name="主管")] == ["李主管"]
    assert [r["actor_name"] for r in rows(actor_role="supervisor")] == ["李主管"]
    assert len(rows(at_from="2026-03-02T09:00", at_to="2026-03-02T10:59")) == 1
    assert len(rows(at_from="2026-03-02T09:00", at_to="2026-03-02T11:00")) == 2  # the end minute is included
    assert rows(at_from="2026-03-02T11:01") == []


@pytest.mark.parametrize("query, message", [
    ({"event_type": "CARD_TELEPORTED"}, "所选项不存在"),
    ({"subject_type": "spaceship"}, "所选项不存在"),
    ({"at_from": "yesterday"}, "请输入有效的时间"),
    ({"at_from": "2026-03-02T10:00", "at_to": "2026-03-02T09:00"}, "开始时间不能晚于结束时间"),
    ({"page": "abc"}, "页码须为正整数"),
    ({"page": "0"}, "页码须为正整数"),
    ({"number": "9" * 41}, "编号最多 40 个字符"),
])
def test_bad_search_input_gets_a_message_never_a_5xx(auditor_client, query, message):
    resp = auditor_client.get(URL, query)
    page = resp.content.decode()
    assert resp.status_code == 400 and message in page and "<title>错误：" in page
    assert "result" not in resp.context


def test_paging_newest_first_and_a_page_past_the_end_gives_the_last(auditor_client):
    for i in range(55):
        record(subject_id=str(i))
    first = auditor_client.get(URL, {"event_type": "CONFIG_CHANGED"}).context["result"]
    assert (first["total"], first["pages"], len(first["rows"]), first["rows"][0]["subject_id"]) == (55, 2, 50, "54")
    second = auditor_client.get(URL, {"event_type": "CONFIG_CHANGED", "page": "2"})
    assert [r["subject_id"] for r in second.context["result"]["rows"]] == [str(i) for i in range(4, -1, -1)]
    assert "上一页" in second.content.decode() and "page=1" in second.content.decode()
    last = auditor_client.get(URL, {"event_type": "CONFIG_CHANGED", "page": "99"}).context["result"]
    assert last["page"] == 2


def test_personal_numbers_are_masked_even_if_an_event_held_one(auditor_client):
    record(data={"note": "证件 500103198506150011 电话 13800138000", "request_no": "YW2026110212345678"})
    page = auditor_client.get(URL).content.decode()
    assert "500103198506150011" not in page and "5001**********0011" in page
    assert "13800138000" not in page and "138****8000" in page
    assert "YW2026110212345678" in page  # a business number is not a person's


def test_the_search_is_read_only(auditor_client):
    record()
    count = AuditEvent.objects.count()
    assert auditor_client.post(URL, {"event_type": "CONFIG_CHANGED"}).status_code == 405
    assert AuditEvent.objects.count() == count


def test_an_htmx_search_gets_the_results_only(auditor_client):
    record()
    resp = auditor_client.get(URL, {"event_type": "CONFIG_CHANGED"}, headers={"HX-Request": "true"})
    page = resp.content.decode()
    assert resp.status_code == 200 and "<html" not in page and 'id="audit-body"' in page
    assert "<title>审计日志查询" in page
