"""网上申领 through the API: review queue, central production in 5 working days, pick-up or post."""

import datetime as dt

import pytest

from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import apply_body, originals, req_of, snapshot

pytestmark = pytest.mark.django_db


def _app_body(person, *, delivery, agent=None, uploads=1, number=None, birth=None):
    body = apply_body(number=number or person.id_number, birth=birth,
                      evidence={"uploaded_documents": [f.b64_jpeg()] * uploads}, delivery=delivery, agent=agent)
    return body


@pytest.fixture
def pickup_outlet(db):
    return f.make_outlet(name="自取网点")


def test_app_self_apply_review_central_production_and_pickup(citizen_api, adult, reviewer_api, supervisor_api,
                                                             pickup_outlet):
    clock.freeze(dt.datetime(2026, 3, 2, 2, 0, tzinfo=dt.UTC))  # Monday 10:00 in Chongqing
    body = _app_body(adult, delivery={"method": "pickup", "pickup_outlet": pickup_outlet.code})
    req = req_of(citizen_api.post("/applications", body))
    assert req.status == "pending_review" and req.channel == "app" and req.pickup_outlet_id == pickup_outlet.pk
    queue = reviewer_api.get("/applications/review-queue")
    assert queue.status_code == 200
    item = queue.json()[0]
    assert item["request_no"] == req.request_no and item["uploaded_documents"] == 1 and item["has_photo"]
    assert adult.id_number not in queue.content.decode() and "*" in item["applicant_id_number"]
    assert citizen_api.get("/applications/review-queue").status_code == 403
    resp = reviewer_api.post(f"/requests/{req.request_no}/approve", {})
    req = req_of(resp)
    assert req.status == "in_production" and req.production_mode == "central" and req.new_card_id is None
    assert req.due_at.date() == dt.date(2026, 3, 9)  # five working days after Monday 2 March
    clerk = f.ApiClient(f.token_for(staff=f.make_staff("clerk", pickup_outlet)))
    assert clerk.post(f"/requests/{req.request_no}/finish-production", {}).status_code == 403
    req = req_of(supervisor_api.post(f"/requests/{req.request_no}/finish-production", {}))
    assert req.status == "ready_for_pickup" and req.new_card.state == "made" and req.new_card.origin_channel == "app"
    seen = citizen_api.get(f"/requests/{req.request_no}")
    assert seen.status_code == 200 and seen.json()["status"] == "ready_for_pickup"
    other_clerk = f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))
    before = snapshot(req)
    resp = other_clerk.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)})
    assert resp.status_code == 403 and snapshot(req) == before
    resp = clerk.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": []})
    assert resp.status_code == 422 and resp.json()["code"] == "ORIGINALS_NOT_CHECKED"
    req = req_of(clerk.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)}))
    assert req.status == "completed" and req.new_card.issued_outlet_id == pickup_outlet.pk
    assert audit_types(req.request_no)[-3:] == ["REQUEST_APPROVED", "REQUEST_PRODUCTION_FINISHED",
                                                "REQUEST_HANDED_OVER"]


def test_app_post_delivery_dispatch_and_deliver(citizen_api, adult, reviewer_api, supervisor_api):
    req = req_of(citizen_api.post("/applications", _app_body(adult, delivery={"method": "post"})))
    assert req.delivery == "post" and req.delivery_address  # defaults to the address given
    req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    req = req_of(supervisor_api.post(f"/requests/{req.request_no}/finish-production", {}))
    resp = supervisor_api.post(f"/requests/{req.request_no}/dispatch", {"tracking_no": "EMS123456789CN"})
    req = req_of(resp)
    assert req.status == "in_transit" and req.tracking_no == "EMS123456789CN" and req.new_card.issued_at is None
    req = req_of(supervisor_api.post(f"/requests/{req.request_no}/deliver"))
    assert req.status == "completed" and req.new_card.issued_at is not None
    assert audit_types(req.request_no)[-2:] == ["REQUEST_DISPATCHED", "REQUEST_DELIVERED"]


def test_card_lost_before_hand_over_is_not_handed_over(citizen_api, adult, reviewer_api, supervisor_api,
                                                       pickup_outlet):
    body = _app_body(adult, delivery={"method": "pickup", "pickup_outlet": pickup_outlet.code})
    req = req_of(citizen_api.post("/applications", body))
    req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    req = req_of(supervisor_api.post(f"/requests/{req.request_no}/finish-production", {}))
    req.new_card.state = "lost"
    req.new_card.save()
    clerk = f.ApiClient(f.token_for(staff=f.make_staff("clerk", pickup_outlet)))
    before = snapshot(req)
    resp = clerk.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)})
    assert resp.status_code == 422 and resp.json()["code"] == "CARD_NOT_ISSUABLE" and snapshot(req) == before


def test_reject_needs_a_reason_and_tells_it(citizen_api, adult, reviewer_api):
    req = req_of(citizen_api.post("/applications", _app_body(adult, delivery={"method": "post"})))
    resp = reviewer_api.post(f"/requests/{req.request_no}/reject", {"reason": ""})
    assert resp.status_code == 400 and snapshot(req)[0] == "pending_review"
    resp = reviewer_api.post(f"/requests/{req.request_no}/reject", {"reason": "照片不符合要求"})
    assert req_of(resp).status == "rejected" and resp.json()["review_note"] == "照片不符合要求"
    assert audit_types(req.request_no)[-1] == "REQUEST_REJECTED"
    # a rejected application does not block a new one
    assert citizen_api.post("/applications", _app_body(adult, delivery={"method": "post"})).status_code == 201


def test_app_agent_for_a_minor_and_not_for_an_adult(citizen_api, adult):
    agent = {"doc_type": "id_card", "number": adult.id_number}
    minor = _app_body(adult, number=f.id_number_for(f.minor_birth()), agent=agent, uploads=2,
                      delivery={"method": "post"})
    minor["applicant"]["name"] = "张小"
    req = req_of(citizen_api.post("/applications", minor))
    assert req.applicant_role == "proxy_minor" and req.agent_id == adult.pk
    grown = _app_body(adult, number=f.id_number_for(f.adult_birth()), agent=agent, uploads=2,
                      delivery={"method": "post"})
    resp = citizen_api.post("/applications", grown)
    assert resp.status_code == 422 and resp.json()["code"] == "ROLE_NOT_ALLOWED"
    assert ServiceRequest.objects.count() == 1


def test_app_applies_only_for_the_account_holder(citizen_api, adult):
    other = _app_body(adult, number=f.id_number_for(f.adult_birth()), delivery={"method": "post"})
    resp = citizen_api.post("/applications", other)
    assert resp.status_code == 403 and resp.json()["code"] == "APP_ACCOUNT_MISMATCH"
    resp = citizen_api.post("/applications", _app_body(adult, uploads=0, delivery={"method": "post"}))
    assert resp.status_code == 422 and resp.json()["code"] == "UPLOAD_DOCUMENT_MISSING"
    resp = citizen_api.post("/applications", _app_body(adult, delivery=None))
    assert resp.status_code == 400 and resp.json()["code"] == "DELIVERY_REQUIRED"
    assert ServiceRequest.objects.count() == 0


def test_pickup_outlet_must_accept_pickup(citizen_api, adult, pickup_outlet):
    pickup_outlet.accepts_pickup = False
    pickup_outlet.save()
    body = _app_body(adult, delivery={"method": "pickup", "pickup_outlet": pickup_outlet.code})
    resp = citizen_api.post("/applications", body)
    assert resp.status_code == 422 and resp.json()["code"] == "PICKUP_OUTLET_NOT_ACCEPTING"


def test_citizens_see_only_their_own_requests(citizen_api, adult, clerk_api):
    req = req_of(clerk_api.post("/applications", apply_body()))
    assert citizen_api.get(f"/requests/{req.request_no}").status_code == 404
    assert clerk_api.get(f"/requests/{req.request_no}").status_code == 200
    other_clerk = f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))
    assert other_clerk.get(f"/requests/{req.request_no}").status_code == 404
