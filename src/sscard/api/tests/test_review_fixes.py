"""Findings of the procedure review, each shown through the API: presented documents are the materials,
a replacement survives a loss report on the old card, open productions block cancel / rollback and can be
voided, void is limited to the right people, new persons and hand-overs are audited, centrally made cards
take PIN businesses, and the instant printer gets the photo."""

import pytest

from sscard.audit.models import AuditEvent
from sscard.cards.models import Card
from sscard.hardware.simulated import SimulatedCardTerminal, SimulatedIssuancePrinter, SimulatedPinPad
from sscard.testing import factories as f
from sscard.testing.audit import audit_types
from sscard.testing.desk import apply_body, fail_printer, originals, reissue_body, req_of, snapshot

pytestmark = pytest.mark.django_db


def test_presented_household_register_cannot_pass_as_an_id_card(clerk_api):
    body = apply_body(doc_type="hukou")
    body["materials"] = {"applicant_doc": "id_card"}  # a declared material no longer counts
    resp = clerk_api.post("/applications", body)
    assert resp.status_code == 422 and resp.json()["code"] == "MATERIAL_APPLICANT_DOC_NOT_ACCEPTED"
    assert not AuditEvent.objects.filter(event_type="REQUEST_SUBMITTED").exists()


def test_loss_report_on_the_old_card_during_deferred_replacement_does_not_strand_it(clerk_api, outlet, adult):
    old = f.make_card(adult, state="active")
    fail_printer(outlet)
    req = req_of(clerk_api.post("/cards/replace", reissue_body(adult, reason="damaged")))
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/settle-fee", {"method": "paid"}))
    assert req.status == "in_production" and req.production_mode == "deferred"
    loss = clerk_api.post("/cards/loss/report", {"applicant": {"doc_type": "id_card", "number": adult.id_number},
                                                 "evidence": f.window_evidence()})
    assert loss.status_code == 200, loss.json()
    from sscard.hardware.simulated import simulated_faults

    simulated_faults.clear_all()
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/finish-production", {"hand_over": True, "originals_checked": originals(req)}))
    assert req.status == "completed"
    assert Card.objects.get(pk=old.pk).state == "replaced" and req.new_card.state == "active"


def test_cancel_is_refused_while_a_card_is_being_made_and_the_production_can_be_voided(
        clerk_api, outlet, adult, supervisor_api):
    f.make_card(adult, state="active")
    fail_printer(outlet)
    req = req_of(clerk_api.post("/cards/replace", reissue_body(adult, reason="damaged")))
    doc = {"doc_type": "id_card", "number": adult.id_number}
    resp = clerk_api.post("/cards/cancel", {"applicant": doc, "evidence": f.window_evidence()})
    assert resp.status_code == 422 and resp.json()["code"] == "OPEN_REQUEST_EXISTS"
    assert req.request_no in resp.json()["message"]
    voided = req_of(supervisor_api.post(f"/requests/{req.request_no}/void", {"reason": "申请人改办注销"}))
    assert voided.status == "voided" and audit_types(req.request_no)[-1] == "REQUEST_VOIDED"
    resp = clerk_api.post("/cards/cancel", {"applicant": doc, "evidence": f.window_evidence()})
    assert resp.status_code == 200, resp.json()


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


def test_a_centrally_made_card_takes_a_pin_reset_at_a_window(citizen_api, adult, reviewer_api, supervisor_api,
                                                              clerk_api, outlet):
    body = apply_body(number=adult.id_number, evidence={"uploaded_documents": [f.b64_jpeg()]},
                      delivery={"method": "pickup", "pickup_outlet": outlet.code})
    req = req_of(citizen_api.post("/applications", body))
    req_of(reviewer_api.post(f"/requests/{req.request_no}/approve", {}))
    req = req_of(supervisor_api.post(f"/requests/{req.request_no}/finish-production", {}))
    req = req_of(clerk_api.post(f"/requests/{req.request_no}/hand-over", {"originals_checked": originals(req)}))
    station = f"outlet:{outlet.code}"
    SimulatedCardTerminal.insert(station, req.new_card.card_no)
    SimulatedPinPad.type(station, "246813", "246813")
    resp = clerk_api.post("/cards/pin/reset", {"applicant": {"doc_type": "ss_card", "number": req.new_card.card_no},
                                               "evidence": f.window_evidence()})
    assert resp.status_code == 200, resp.json()
    SimulatedPinPad.type(station, "246813")
    verify = clerk_api.post("/cards/pin/verify", {"applicant": {"doc_type": "ss_card",
                                                                "number": req.new_card.card_no}})
    assert verify.status_code == 200 and verify.json()["ok"] is True


def test_instant_issuance_prints_the_photo(clerk_api, outlet):
    req = req_of(clerk_api.post("/applications", apply_body()))
    assert req.status == "completed"
    job = SimulatedIssuancePrinter.last_job(f"outlet:{outlet.code}")
    assert job.card_no == req.new_card.card_no and job.has_photo


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


# ---------------------------------------------------------------- second review round


def test_an_agent_presenting_a_household_register_cannot_pass_as_an_id_card(clerk_api):
    agent = f.make_person(name="代办人甲")
    body = apply_body(birth=f.minor_birth(), doc_type="hukou", photo=False,
                      agent={"doc_type": "hukou", "number": agent.id_number, "name": "代办人甲"})
    body["materials"] = {"applicant_doc": "hukou", "agent_doc": "id_card"}  # ignored: the documents count
    resp = clerk_api.post("/applications", body)
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


def test_unissuable_states_are_the_lost_and_the_ended_ones():
    from sscard.desk.services import unissuable_card_states

    assert unissuable_card_states() == {"lost", "lost_temp", "cancelled", "replaced"}


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


def test_rollback_of_a_cancellation_is_refused_while_an_application_is_open(clerk_api, outlet, adult,
                                                                            supervisor_api):
    card = f.make_card(adult, state="active")
    doc = {"doc_type": "id_card", "number": adult.id_number}
    cancelled = clerk_api.post("/cards/cancel", {"applicant": doc, "evidence": f.window_evidence()})
    assert cancelled.status_code == 200, cancelled.json()
    fail_printer(outlet)
    req = req_of(clerk_api.post("/applications", apply_body(number=adult.id_number, name=adult.name)))
    assert req.status == "in_production"
    events = AuditEvent.objects.count()
    resp = clerk_api.post("/cards/rollback", {"applicant": doc, "evidence": f.window_evidence()})
    assert resp.status_code == 422 and resp.json()["code"] == "OPEN_REQUEST_EXISTS"
    assert req.request_no in resp.json()["message"] and adult.id_number not in resp.content.decode()
    card.refresh_from_db()
    assert card.state == "cancelled" and AuditEvent.objects.count() == events
    req_of(supervisor_api.post(f"/requests/{req.request_no}/void", {"reason": "申请人改办回退"}))
    resp = clerk_api.post("/cards/rollback", {"applicant": doc, "evidence": f.window_evidence()})
    assert resp.status_code == 200, resp.json()
    card.refresh_from_db()
    assert card.state == "active"


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
