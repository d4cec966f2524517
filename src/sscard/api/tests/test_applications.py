"""The production-business endpoints (``sscard.api.applications``: /applications, /cards/reissue, replace,
renew and activate, /requests) through the API: access rules and rendering, the presented documents and
agents of an application, its fee and audit, the photo on the printed card, the old card until hand-over,
the app's own list, the review detail, void, overdue production, and who sees which request."""

import base64
import datetime as dt
import io

import pytest
from django.core.management import call_command

from sscard.archive.tests.images import png_claiming
from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.core import clock
from sscard.desk.models import ServiceRequest
from sscard.hardware.simulated import SimulatedIssuancePrinter
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import app_body, apply_body, fail_printer, originals, reissue_body, req_of, snapshot
from sscard.testing.photos import photo_bytes

pytestmark = pytest.mark.django_db

T0 = dt.datetime(2026, 3, 2, 9, 0, tzinfo=dt.UTC)  # a Monday


# ---------------------------------------------------------------- access and rendering


def test_only_channel_actors_apply(staff_api, reviewer_api):
    for api in (reviewer_api, staff_api("supervisor"), f.ApiClient()):
        resp = api.post("/applications", apply_body())
        assert resp.status_code in (401, 403) and resp.json()["message"]
    assert ServiceRequest.objects.count() == 0


def test_bad_bodies_are_4xx_with_chinese_messages(clerk_api):
    for body in ({}, {"applicant": {"doc_type": "mystery", "number": "1"}},
                 {"applicant": {"doc_type": "id_card", "number": "110105194912310022", "name": "甲"}}):
        resp = clerk_api.post("/applications", body)
        assert 400 <= resp.status_code < 500 and resp.json()["message"]
    resp = clerk_api.post("/cards/reissue", {"applicant": {"doc_type": "id_card", "number": "1"}, "reason": "bored"})
    assert resp.status_code == 400 and resp.json()["code"] == "INPUT_INVALID"
    assert ServiceRequest.objects.count() == 0


def test_a_bad_window_photo_is_4xx_naming_every_problem(clerk_api):
    """The card photo is held to the photo rule; whatever is sent as a photo, the answer is a 4xx."""
    bad = photo_bytes(size=(300, 400), background=(90, 90, 110), fmt="PNG", faces=((0.2, 0.45, 0.3),))
    good = photo_bytes()
    sent = {"all wrong": bad, "nobody": photo_bytes(faces=()), "garbage": bytes(range(256)) * 8,
            "gif": b"GIF89a" + bytes(200), "truncated": good[:len(good) // 2], "bomb": png_claiming(30000, 30000),
            "empty": b""}
    for label, content in sent.items():
        body = apply_body()
        body["photo"] = base64.b64encode(content).decode("ascii") or "="
        resp = clerk_api.post("/applications", body)
        assert 400 <= resp.status_code < 500, (label, resp.status_code)
        assert resp.json()["message"], label
    body = apply_body()
    body["photo"] = base64.b64encode(bad).decode("ascii")
    resp = clerk_api.post("/applications", body)
    assert resp.status_code == 400 and resp.json()["code"] == "PHOTO_FORMAT"
    missing = resp.json()["details"]["missing"]
    assert [m["code"] for m in missing] == ["PHOTO_FORMAT", "PHOTO_SIZE", "PHOTO_BACKGROUND", "PHOTO_FACE_OFF_CENTRE"]
    assert all(m["message"] in resp.json()["message"] for m in missing)
    assert ServiceRequest.objects.count() == 0


def test_request_out_has_no_personal_data(clerk_api):
    body = apply_body(name="欧阳娜娜")
    resp = clerk_api.post("/applications", body)
    text = resp.content.decode()
    assert resp.status_code == 201
    assert body["applicant"]["number"] not in text and "欧阳" not in text and "13900139000" not in text
    status = clerk_api.get(f"/requests/{resp.json()['request_no']}")
    assert status.status_code == 200 and body["applicant"]["number"] not in status.content.decode()


def test_window_steps_need_a_clerk_of_the_outlet(clerk_api, outlet, kiosk_api, supervisor_api):
    outlet.has_signature_pad = False
    outlet.save()
    req = req_of(clerk_api.post("/applications", apply_body()))
    before = snapshot(req)
    for api in (kiosk_api, supervisor_api, f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))):
        resp = api.post(f"/requests/{req.request_no}/signed-form", {"reference": "QZ-1"})
        assert resp.status_code == 403
    assert snapshot(req) == before
    assert kiosk_api.get(f"/requests/{req.request_no}/form.pdf").status_code == 403


def test_review_needs_a_reviewer(citizen_api, adult, clerk_api):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    req = req_of(citizen_api.post("/applications", body))
    before = snapshot(req)
    for api in (citizen_api, clerk_api):
        assert api.post(f"/requests/{req.request_no}/approve", {}).status_code == 403
    assert snapshot(req) == before


def test_citizen_withdraws_own_pending_application(citizen_api, adult):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    req = req_of(citizen_api.post("/applications", body))
    resp = citizen_api.post(f"/requests/{req.request_no}/void", {"reason": "不需要了"})
    assert req_of(resp).status == "voided"
    assert audit_types(req.request_no)[-1] == "REQUEST_VOIDED"


def test_voucher_pdf_only_for_kiosk_requests(clerk_api, kiosk_api):
    req = req_of(clerk_api.post("/applications", apply_body()))
    resp = clerk_api.get(f"/requests/{req.request_no}/voucher.pdf")
    assert resp.status_code == 404 and resp.json()["code"] == "VOUCHER_NOT_FOUND"
    assert kiosk_api.get(f"/requests/{req.request_no}/voucher.pdf").status_code == 404


def test_unknown_request_is_404(clerk_api, supervisor_api):
    assert clerk_api.get("/requests/YW0000").status_code == 404
    resp = supervisor_api.post("/requests/YW0000/deliver")
    assert resp.status_code == 404 and resp.json()["code"] == "REQUEST_NOT_FOUND"


# ---------------------------------------------------------------- applying: documents, agents, fee, audit


def test_presented_household_register_cannot_pass_as_an_id_card(clerk_api):
    body = apply_body(doc_type="hukou")
    body["materials"] = {"applicant_doc": "id_card"}  # a declared material is not a field of the body
    resp = clerk_api.post("/applications", body)
    out = resp.json()
    assert resp.status_code == 400 and out["code"] == "INPUT_INVALID" and "materials" in out["message"]
    del body["materials"]
    resp = clerk_api.post("/applications", body)
    assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_APPLICANT_DOC_NOT_ACCEPTED"
    assert not AuditEvent.objects.filter(event_type="REQUEST_SUBMITTED").exists()


def test_an_agent_presenting_a_household_register_cannot_pass_as_an_id_card(clerk_api):
    agent = f.make_person(name="代办人甲")
    body = apply_body(birth=f.minor_birth(), doc_type="hukou", photo=False,
                      agent={"doc_type": "hukou", "number": agent.id_number, "name": "代办人甲"})
    resp = clerk_api.post("/applications", body)  # the documents presented count (a "materials" field: 400)
    assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_AGENT_DOC_NOT_ACCEPTED"
    body["agent"]["doc_type"] = "id_card"
    req = req_of(clerk_api.post("/applications", body))
    assert req.materials["applicant_doc"] == "hukou" and req.materials["agent_doc"] == "id_card"


def test_the_agent_must_be_an_adult_by_the_catalogue_age(clerk_api, monkeypatch):
    from sscard.core import clock
    from sscard.policy.catalogue import get_catalogue

    today = clock.today()
    young = f.make_person(name="十七岁", birth_date=today.replace(year=today.year - 17))
    body = apply_body(birth=f.minor_birth(), photo=False,
                      agent={"doc_type": "id_card", "number": young.id_number, "name": "十七岁"})
    resp = clerk_api.post("/applications", body)
    assert resp.status_code == 422 and resp.json()["code"] == "AGENT_IS_MINOR"
    assert not AuditEvent.objects.filter(event_type="REQUEST_SUBMITTED").exists()
    monkeypatch.setitem(get_catalogue().settings, "adult_age", 16)  # a city edits data, not code
    req = req_of(clerk_api.post("/applications", body))
    assert req.agent_id == young.pk and req.applicant_role == "proxy_minor"


def test_the_first_application_fee_comes_from_the_fee_schedule(clerk_api, outlet):
    from sscard.fees.models import FeeRule

    free = req_of(clerk_api.post("/applications", apply_body()))
    assert free.fee_amount_fen == 0 and free.status == "completed"  # the seeded row: 首次申领免费
    assert FeeRule.objects.filter(business="apply", reason="").update(amount_fen=2000) == 1
    req = req_of(clerk_api.post("/applications", apply_body(name="周五")))
    assert req.fee_amount_fen == 2000 and req.status == "awaiting_fee" and req.pending_steps == ["fee"]
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"}))
    assert req.status == "completed" and req.payment.amount_fen == 2000
    exempt = f.make_person(name="低保户", fee_exempt=True)
    req = req_of(clerk_api.post("/applications", apply_body(number=exempt.id_number, name="低保户")))
    assert req.fee_amount_fen == 0 and req.status == "completed"


def test_new_person_and_hand_over_are_audited_with_masked_data(clerk_api, outlet):
    body = apply_body(name="王小二")
    number = body["applicant"]["number"]
    req = req_of(clerk_api.post("/applications", body))
    created = AuditEvent.objects.get(event_type="PERSON_CREATED", person_id=req.applicant_id)
    assert created.after["id_number"] != number and created.after["id_number"].endswith(number[-4:])
    assert number not in str(created.after) + str(created.data)
    # instant issuance hands the card over at once; a deferred one is handed over later
    person = f.make_person(name="赵二")
    fail_printer(outlet)
    f.make_card(person)
    deferred = req_of(clerk_api.post("/cards/renew", reissue_body(person, reason="expired")))
    from sscard.hardware.simulated import simulated_faults

    simulated_faults.clear_all()
    deferred = req_of(clerk_api.post(f"/requests/{deferred.request_no}/finish-production", {}))
    assert deferred.status == "ready_for_pickup"
    done = req_of(clerk_api.post(f"/requests/{deferred.request_no}/hand-over",
                                 {"originals_checked": originals(deferred)}))
    assert audit_types(done.new_card.card_no)[-1] == "CARD_HANDED_OVER"


def test_every_hand_over_is_a_card_event_with_the_outlet(clerk_api, outlet, citizen_api, adult, reviewer_api,
                                                          supervisor_api):
    body = apply_body(name="吴七")
    req = req_of(clerk_api.post("/applications", body))  # instant: made and handed over at once
    assert audit_types(req.new_card.card_no)[-2:] == ["CARD_MADE", "CARD_HANDED_OVER"]
    handed = AuditEvent.objects.get(event_type="CARD_HANDED_OVER", subject_id=req.new_card.card_no)
    assert handed.data["outlet_id"] == outlet.pk and handed.data["request_no"] == req.request_no
    created = AuditEvent.objects.get(event_type="PERSON_CREATED", person_id=req.applicant_id)
    text = str(created.after) + str(created.data)
    assert body["applicant"]["phone"] not in text and body["applicant"]["address"] not in text
    assert body["applicant"]["number"] not in text

    posted = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                        delivery={"method": "post"})
    req = req_of(citizen_api.post("/applications", posted))
    req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    req_of(supervisor_api.post(f"/requests/{req.request_no}/dispatch", {"tracking_no": "EMS123"}))
    req = req_of(supervisor_api.post(f"/requests/{req.request_no}/deliver", {}))
    assert req.status == "completed" and req.new_card.issued_at is not None
    assert audit_types(req.new_card.card_no)[-1] == "CARD_HANDED_OVER"


# ---------------------------------------------------------------- the photo on the printed card


def test_instant_issuance_prints_the_photo(clerk_api, outlet):
    req = req_of(clerk_api.post("/applications", apply_body()))
    assert req.status == "completed"
    job = SimulatedIssuancePrinter.last_job(f"outlet:{outlet.code}")
    assert job.card_no == req.new_card.card_no and job.has_photo


def test_reissue_without_new_photo_prints_the_photo_of_the_earlier_business(
        clerk_api, outlet, django_capture_on_commit_callbacks):
    body = apply_body(name="周一")
    with django_capture_on_commit_callbacks(execute=True):  # archived images reach storage on commit
        first = req_of(clerk_api.post("/applications", body))
    assert first.status == "completed"
    person = first.applicant
    activated = clerk_api.post("/cards/activate", {"applicant": {"doc_type": "id_card",
                                                                 "number": person.id_number}})
    assert activated.status_code == 200, activated.json()
    SimulatedIssuancePrinter.clear()
    again = req_of(clerk_api.post("/cards/reissue", reissue_body(person, reason="lost")))
    again = req_of(clerk_api.post(f"/requests/{again.request_no}/settle-fee", {"method": "paid"}))
    assert again.status == "completed" and again.new_card_id != first.new_card_id
    job = SimulatedIssuancePrinter.last_job(f"outlet:{outlet.code}")
    assert job.card_no == again.new_card.card_no and job.has_photo


def test_reissue_of_a_holder_without_any_archived_photo_prints_without_one(clerk_api, outlet):
    person = f.make_person(name="吴二")
    f.make_card(person, state="active")
    req = req_of(clerk_api.post("/cards/reissue", reissue_body(person, reason="lost")))
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"}))
    job = SimulatedIssuancePrinter.last_job(f"outlet:{outlet.code}")
    assert job.card_no == req.new_card.card_no and not job.has_photo


def test_deferred_production_prints_the_photo_archived_with_the_request(
        clerk_api, outlet, django_capture_on_commit_callbacks):
    fail_printer(outlet)
    with django_capture_on_commit_callbacks(execute=True):
        req = req_of(clerk_api.post("/applications", apply_body(name="郑三")))
    assert req.status == "in_production" and req.production_mode == "deferred"
    from sscard.hardware.simulated import simulated_faults

    simulated_faults.clear_all()
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/finish-production",
                                {"hand_over": True, "originals_checked": originals(req)}))
    job = SimulatedIssuancePrinter.last_job(f"outlet:{outlet.code}")
    assert req.status == "completed" and job.card_no == req.new_card.card_no and job.has_photo


# ---------------------------------------------------------------- renewal: the old card until hand-over


def test_a_deferred_replacement_keeps_the_old_card_in_use_until_hand_over(clerk_api, outlet):
    from sscard.hardware.simulated import simulated_faults

    person = f.make_person(name="钱三")
    old = f.make_card(person, state="active")
    fail_printer(outlet)
    req = req_of(clerk_api.post("/cards/renew", reissue_body(person, reason="expired")))
    simulated_faults.clear_all()
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/finish-production", {}))
    assert req.status == "ready_for_pickup"
    assert Card.objects.get(pk=old.pk).state == "active"  # still the card in use
    assert req.new_card.state == "produced" and req.new_card.activated_at is None
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)}))
    old.refresh_from_db()
    assert old.state == "replaced" and old.replaced_by_id == req.new_card_id
    assert req.new_card.state == "active" and req.new_card.activated_at is not None
    assert audit_types(old.card_no)[-1] == "CARD_REPLACED"
    assert audit_types(req.new_card.card_no)[-2:] == ["CARD_ISSUED", "CARD_HANDED_OVER"]


# ---------------------------------------------------------------- GET /applications/mine


def test_app_user_lists_only_their_own_businesses(citizen_api, adult):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    mine = req_of(citizen_api.post("/applications", body))
    other = f.make_person(name="旁人")
    other_api = f.ApiClient(f.token_for(citizen=f.make_citizen(other)))
    req_of(other_api.post("/applications", apply_body(number=other.id_number, evidence={
        "uploaded_documents": [f.b64_jpeg()]}, delivery={"method": "post"})))
    listed = citizen_api.get("/applications/mine")
    assert listed.status_code == 200
    assert [r["request_no"] for r in listed.json()] == [mine.request_no]
    assert adult.id_number not in listed.content.decode()
    assert citizen_api.get("/applications/mine", limit=0).status_code == 400


def test_mine_lists_newest_first_with_limit_and_offset(citizen_api, adult, reviewer_api):
    clock.freeze(T0)
    first = req_of(citizen_api.post("/applications", app_body(adult)))
    req_of(reviewer_api.post(f"/requests/{first.request_no}/reject", {"reason": "照片不清晰"}))
    clock.freeze(T0 + dt.timedelta(hours=1))
    second = req_of(citizen_api.post("/applications", app_body(adult)))
    listed = citizen_api.get("/applications/mine")
    assert [r["request_no"] for r in listed.json()] == [second.request_no, first.request_no]
    assert [r["request_no"] for r in citizen_api.get("/applications/mine", limit=1).json()] == [second.request_no]
    page2 = citizen_api.get("/applications/mine", limit=1, offset=1).json()
    assert [r["request_no"] for r in page2] == [first.request_no] and page2[0]["status"] == "rejected"
    assert adult.id_number not in listed.content.decode() and adult.name not in listed.content.decode()


def test_mine_is_for_app_users_only(clerk_api):
    assert clerk_api.get("/applications/mine").status_code == 403


# ---------------------------------------------------------------- review detail and images (留痕)


def test_reviewer_sees_the_applicant_in_full_and_the_images_and_each_view_is_audited(
        citizen_api, adult, reviewer_api, django_capture_on_commit_callbacks):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    with django_capture_on_commit_callbacks(execute=True):  # images are written to storage on commit
        req = req_of(citizen_api.post("/applications", body))
    detail = reviewer_api.get(f"/requests/{req.request_no}/review-detail")
    assert detail.status_code == 200
    data = detail.json()
    assert data["applicant"]["id_number"] == adult.id_number and data["applicant"]["phone"] == adult.phone
    kinds = sorted(i["kind"] for i in data["images"])
    assert kinds == ["photo", "uploaded_document"]
    image_id = next(i["id"] for i in data["images"] if i["kind"] == "uploaded_document")
    image = reviewer_api.get(f"/requests/{req.request_no}/images/{image_id}")
    assert image.status_code == 200 and image["Content-Type"] == "image/jpeg" and image.content[:2] == b"\xff\xd8"
    assert audit_types(req.request_no)[-2:] == ["PERSON_VIEWED_IN_FULL", "EVIDENCE_VIEWED"]
    assert citizen_api.get(f"/requests/{req.request_no}/review-detail").status_code == 403


# ---------------------------------------------------------------- void


def test_void_is_for_the_owner_the_back_office_or_the_outlet_concerned(citizen_api, adult, reviewer_api):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "post"})
    req = req_of(citizen_api.post("/applications", body))
    stranger = f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))
    before = snapshot(req)
    resp = stranger.post(f"/requests/{req.request_no}/void", {"reason": "误操作"})
    assert resp.status_code == 403 and snapshot(req) == before
    req = req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    assert req.status == "in_production"
    resp = citizen_api.post(f"/requests/{req.request_no}/void", {"reason": "不要了"})
    assert resp.status_code == 422 and resp.json()["code"] == "VOID_IN_PRODUCTION"


def test_production_void_is_for_the_back_office_or_the_outlet_of_its_deferred_production(
        citizen_api, adult, reviewer_api, clerk_api, outlet, supervisor_api):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "pickup", "pickup_outlet": outlet.code})
    central = req_of(citizen_api.post("/applications", body))
    central = req_of(reviewer_api.post(f"/requests/{central.request_no}/approve", {}))
    assert central.status == "in_production" and central.production_mode == "central"
    before = snapshot(central)
    resp = clerk_api.post(f"/requests/{central.request_no}/void", {"reason": "申请人要求"})
    assert resp.status_code == 403 and resp.json()["code"] == "VOID_IN_PRODUCTION_BACK_OFFICE"
    assert snapshot(central) == before
    voided = req_of(supervisor_api.post(f"/requests/{central.request_no}/void", {"reason": "申请人要求"}))
    assert voided.status == "voided"

    person = f.make_person(name="孙六")
    f.make_card(person)
    fail_printer(outlet)
    deferred = req_of(clerk_api.post("/cards/renew", reissue_body(person, reason="expired")))
    deferred = req_of(clerk_api.post(f"/requests/{deferred.request_no}/settle-fee", {"method": "paid"})) \
        if deferred.status == "awaiting_fee" else deferred
    assert deferred.status == "in_production" and deferred.production_mode == "deferred"
    stranger = f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))
    before = snapshot(deferred)
    resp = stranger.post(f"/requests/{deferred.request_no}/void", {"reason": "误操作"})
    assert resp.status_code == 403 and snapshot(deferred) == before
    voided = req_of(clerk_api.post(f"/requests/{deferred.request_no}/void", {"reason": "旧卡已注销，改办申领"}))
    assert voided.status == "voided" and audit_types(voided.request_no)[-1] == "REQUEST_VOIDED"


# ---------------------------------------------------------------- overdue production


def test_supervisor_lists_production_past_due_with_hours_overdue(
        citizen_api, adult, reviewer_api, supervisor_api, staff_api, clerk_api, outlet):
    clock.freeze(T0)
    app = req_of(citizen_api.post("/applications", app_body(adult)))
    app = req_of(reviewer_api.post(f"/requests/{app.request_no}/approve", {}))
    fail_printer(outlet)
    window = req_of(clerk_api.post("/applications", apply_body(name="冯四")))
    assert window.production_mode == "deferred" and app.production_mode == "central"
    assert supervisor_api.get("/requests/overdue").json() == []

    now = window.due_at + dt.timedelta(hours=3)
    assert now < app.due_at
    clock.freeze(now)
    rows = supervisor_api.get("/requests/overdue").json()
    assert [r["request_no"] for r in rows] == [window.request_no]
    row = rows[0]
    assert row["hours_overdue"] == 3.0 and row["outlet"] == outlet.name and row["business"] == "apply"
    assert row["applicant_name"] != "冯四" and row["applicant_name"].startswith("冯")

    clock.freeze(app.due_at + dt.timedelta(hours=1))
    rows = staff_api("admin").get("/requests/overdue").json()
    assert [r["request_no"] for r in rows] == [window.request_no, app.request_no]
    assert rows[1]["production_mode"] == "central" and rows[1]["hours_overdue"] == 1.0
    assert adult.id_number not in str(rows)

    # A card that was made and waits for pick-up is no longer overdue.
    call_command("finish_central_production", app.request_no, stdout=io.StringIO())
    rows = supervisor_api.get("/requests/overdue").json()
    assert [r["request_no"] for r in rows] == [window.request_no]
    assert len(supervisor_api.get("/requests/overdue", limit=1).json()) == 1


def test_overdue_list_refuses_clerks_reviewers_and_citizens(clerk_api, citizen_api, reviewer_api):
    for api in (clerk_api, citizen_api, reviewer_api):
        resp = api.get("/requests/overdue")
        assert resp.status_code == 403 and resp.json()["code"] == "ACCESS_DENIED"


# ---------------------------------------------------------------- who sees which request


def test_citizen_cannot_see_another_persons_request(citizen_api, adult):
    other = f.make_person(name="陈五")
    other_api = f.ApiClient(f.token_for(citizen=f.make_citizen(other)))
    theirs = req_of(other_api.post("/applications", app_body(other)))
    resp = citizen_api.get(f"/requests/{theirs.request_no}")
    assert resp.status_code == 404 and resp.json()["code"] == "REQUEST_NOT_FOUND"
    assert other_api.get(f"/requests/{theirs.request_no}").status_code == 200
    assert theirs.request_no not in citizen_api.get("/applications/mine").content.decode()
    void = citizen_api.post(f"/requests/{theirs.request_no}/void", {"reason": "不需要了"})
    assert void.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == "pending_review"


def test_clerk_of_another_outlet_gets_404_on_a_request_of_this_outlet(clerk_api, outlet):
    outlet.has_signature_pad = False  # the request waits for its signed paper form at this outlet
    outlet.save()
    req = req_of(clerk_api.post("/applications", apply_body(name="褚六")))
    stranger = f.ApiClient(f.token_for(staff=f.make_staff("clerk", f.make_outlet())))
    for path in (f"/requests/{req.request_no}", f"/requests/{req.request_no}/form.pdf"):
        resp = stranger.get(path)
        assert resp.status_code == 404 and resp.json()["code"] == "REQUEST_NOT_FOUND", path
    assert clerk_api.get(f"/requests/{req.request_no}").status_code == 200
    pdf = clerk_api.get(f"/requests/{req.request_no}/form.pdf")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_pdf_endpoints_refuse_a_citizen_even_on_their_own_request(citizen_api, adult):
    req = req_of(citizen_api.post("/applications", app_body(adult)))
    assert citizen_api.get(f"/requests/{req.request_no}").status_code == 200
    for name in ("form.pdf", "voucher.pdf"):
        resp = citizen_api.get(f"/requests/{req.request_no}/{name}")
        assert resp.status_code == 403 and resp.json()["code"] == "ACCESS_DENIED", name
