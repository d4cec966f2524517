"""audit.selectors: the search (filters, newest first, pages), masks on the way out, the latest event."""

import pytest
from django.db import transaction

from sscard.audit.selectors import AuditQuery, audit_search, latest_events, mask_values
from sscard.audit.services import audit_record
from sscard.staff.actors import Actor

pytestmark = pytest.mark.django_db


def record(subject_id, event_type="CONFIG_CHANGED", **kw):
    with transaction.atomic():
        audit_record(event_type=event_type, actor=Actor.system("测试"), subject_type="staff.outlet",
                     subject_id=subject_id, **kw)


def test_masks_only_whole_personal_numbers():
    assert mask_values({"a": ["500103198506150011", "电话13800138000"], "b": 5}) == {
        "a": ["5001**********0011", "电话138****8000"], "b": 5}
    kept = ["YW2026110212345678", "SF2026051500120000001", "a" * 10 + "500103198506150011"]
    assert mask_values(kept) == kept


def test_search_and_latest_events():
    record("1", data={"note": "一"})
    record("1", event_type="OUTLET_ISSUANCE_STATUS_CHANGED", data={"note": "二"})
    record("2", event_type="OUTLET_ISSUANCE_STATUS_CHANGED", data={"note": "三"})
    record("1", event_type="OUTLET_ISSUANCE_STATUS_CHANGED", data={"note": "四"})
    found = audit_search(AuditQuery(number="1"), page_size=2)
    assert found["total"] == 3 and found["pages"] == 2 and [r["data"]["note"] for r in found["rows"]] == ["四", "二"]
    assert audit_search(AuditQuery(number="1"), page=5, page_size=2)["page"] == 2
    assert audit_search(AuditQuery(event_type="CONFIG_CHANGED"))["rows"][0]["event_label"] == "配置修改"
    latest = latest_events(event_type="OUTLET_ISSUANCE_STATUS_CHANGED", subject_type="staff.outlet",
                           subject_ids=[1, 2, 3])
    assert {k: v["data"]["note"] for k, v in latest.items()} == {"1": "四", "2": "三"}
    assert audit_search(AuditQuery())["rows"][0]["subject_label"] == "网点"
